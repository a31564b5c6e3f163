"""Backups of the database and the media files, and restoring them (``make backup`` / ``make restore``).

A backup is one directory: the database (PostgreSQL: ``pg_dump`` custom format;
SQLite, the embedded default: a copy made with SQLite's online backup API, safe
while the site runs), the media files as ``media.tar.gz``, and ``manifest.json``
with a SHA-256 of each file, checked before anything is restored.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"


class BackupError(Exception):
    pass


def _database():
    return settings.DATABASES["default"]


def _is_postgresql(db):
    return "postgresql" in db["ENGINE"]


def _pg_args(db):
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return args


def _pg_env(db):
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _run(command, db):
    # An argument list built from settings, no shell: nothing a user typed reaches the command line.
    result = subprocess.run(command, env=_pg_env(db), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _sha256(path):
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_directory():
    return Path(settings.BASE_DIR) / "var" / "backups" / timezone.now().strftime("%Y%m%d-%H%M%S")


def backup_create(*, directory=None) -> Path:
    """Write a backup of the database and the media files to a new ``directory``; returns it.

    Consistent: pg_dump and SQLite's backup API each copy one snapshot of the
    database while the site keeps running.
    """
    directory = Path(directory or default_directory())
    directory.mkdir(parents=True, exist_ok=False)
    db = _database()
    if _is_postgresql(db):
        database_file = directory / "database.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", *_pg_args(db), "--file", str(database_file), db["NAME"]], db)
        engine = "postgresql"
    else:
        database_file = directory / "database.sqlite3"
        source = sqlite3.connect(db["NAME"])
        target = sqlite3.connect(database_file)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        engine = "sqlite"
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(directory / MEDIA_ARCHIVE, "w:gz") as archive:
        if media_root.is_dir():
            archive.add(media_root, arcname=".")
    manifest = {
        "engine": engine,
        "created_at": timezone.now().isoformat(),
        "files": {path.name: _sha256(path) for path in (database_file, directory / MEDIA_ARCHIVE)},
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return directory


def _check(directory):
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{directory} is not a backup: {MANIFEST} is missing")
    manifest = json.loads(manifest_path.read_text())
    for name, digest in manifest["files"].items():
        path = directory / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{path} is missing or damaged (checksum does not match the manifest)")
    return manifest


def backup_restore(*, directory):
    """Replace the database and the media files with the backup in ``directory``.

    Every file is checked against the manifest first, so a damaged backup
    changes nothing. Stop the web and worker processes before restoring.
    """
    directory = Path(directory)
    manifest = _check(directory)
    db = _database()
    engine = "postgresql" if _is_postgresql(db) else "sqlite"
    if manifest["engine"] != engine:
        raise BackupError(f"This backup is of {manifest['engine']}; the site runs on {engine}")
    connections.close_all()
    if engine == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *_pg_args(db),
                "--dbname",
                db["NAME"],
                str(directory / "database.pgdump"),
            ],
            db,
        )
    else:
        source = sqlite3.connect(directory / "database.sqlite3")
        target = sqlite3.connect(db["NAME"])
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir():
        shutil.rmtree(media_root)
    media_root.mkdir(parents=True)
    with tarfile.open(directory / MEDIA_ARCHIVE, "r:gz") as archive:
        # "data": no absolute paths, no links or files outside media_root.
        archive.extractall(media_root, filter="data")
    # Pages and figures kept in the cache show the data from before the restore: move every page on.
    # (Sessions' cached copies end within SESSION_CACHE_SECONDS; the cache is shared with the
    # broker, so it is not flushed.)
    from topics import pagecache

    pagecache.bump_now(pagecache.CONTENT, pagecache.DISCUSSIONS)
