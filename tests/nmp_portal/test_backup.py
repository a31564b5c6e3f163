"""Backup and restore of the embedded default (SQLite) and the media files.

The services suite runs the same drill on PostgreSQL with pg_dump/pg_restore.
"""

import sqlite3

import pytest

from nmp_portal import backup


@pytest.fixture
def site(tmp_path, settings, monkeypatch):
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE vote (id INTEGER PRIMARY KEY, choice TEXT)")
        conn.executemany("INSERT INTO vote (choice) VALUES (?)", [("agree",), ("disagree",)])
    monkeypatch.setattr(backup, "_database", lambda: {"ENGINE": "django.db.backends.sqlite3", "NAME": database})
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "briefings").mkdir(parents=True)
    (settings.MEDIA_ROOT / "briefings" / "werkmap.xlsx").write_bytes(b"werkmap")
    return database, settings.MEDIA_ROOT


def _votes(database):
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT id, choice FROM vote ORDER BY id").fetchall()


def test_restore_brings_back_database_and_media(site, tmp_path):
    database, media = site
    directory = backup.backup_create(directory=tmp_path / "backup")
    assert sorted(p.name for p in directory.iterdir()) == ["database.sqlite3", "manifest.json", "media.tar.gz"]

    with sqlite3.connect(database) as conn:
        conn.execute("DELETE FROM vote")
    (media / "briefings" / "werkmap.xlsx").unlink()
    (media / "later.txt").write_text("na de backup")

    from topics import pagecache

    before = pagecache.generations(pagecache.CONTENT, pagecache.DISCUSSIONS)
    backup.backup_restore(directory=directory)
    assert _votes(database) == [(1, "agree"), (2, "disagree")]
    # Every page kept in the cache is made stale: it showed the data from before.
    after = pagecache.generations(pagecache.CONTENT, pagecache.DISCUSSIONS)
    assert after[0] > before[0] and after[1] > before[1]
    assert (media / "briefings" / "werkmap.xlsx").read_bytes() == b"werkmap"
    assert not (media / "later.txt").exists()


def test_a_damaged_backup_changes_nothing(site, tmp_path):
    database, _media = site
    directory = backup.backup_create(directory=tmp_path / "backup")
    with sqlite3.connect(database) as conn:
        conn.execute("DELETE FROM vote WHERE id = 2")
    with (directory / "database.sqlite3").open("ab") as handle:
        handle.write(b"damage")
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.backup_restore(directory=directory)
    assert _votes(database) == [(1, "agree")]


def test_the_commands_write_and_read_a_backup(site, tmp_path):
    from django.core.management import call_command

    database, _media = site
    call_command("backup", output=str(tmp_path / "b"), stdout=open("/dev/null", "w"))  # noqa: SIM115
    with sqlite3.connect(database) as conn:
        conn.execute("DELETE FROM vote")
    call_command("restore", str(tmp_path / "b"), noinput=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(_votes(database)) == 2
