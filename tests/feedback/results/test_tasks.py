"""Start-up finds the results package by discovery: the briefing task (Celery) and its permission (django-rules)."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]

WORKER_START = """
import sys
import django
import rules

django.setup()
assert rules.perm_exists("feedback.view_briefing"), "permission not registered at start-up"
assert "feedback.results.tasks" not in sys.modules, "imported at start-up"
from celery.fixups.django import DjangoWorkerFixup

from nmp_portal.celery import app

# The worker's start-up system check loads the URLconf, and the views import the task; leave the check
# out so that only autodiscovery can register it.
DjangoWorkerFixup.validate_models = lambda self: None

app.loader.import_default_modules()  # what a worker does when it starts
print(sorted(name for name in app.tasks if name.startswith("feedback.")))
"""


def test_worker_finds_the_briefing_task():
    env = {**os.environ, "PYTHONPATH": str(BASE_DIR), "DJANGO_SETTINGS_MODULE": "nmp_portal.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", WORKER_START], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "feedback.results.tasks.build_briefing_workbook" in done.stdout
    assert "feedback.tasks.send_reply_mail" in done.stdout


def test_old_workbooks_are_removed_by_the_beat_task(settings, tmp_path):
    import time
    from datetime import timedelta

    from django.conf import settings as django_settings

    from feedback.results.tasks import remove_old_workbooks

    settings.MEDIA_ROOT = tmp_path
    settings.BRIEFING_WORKBOOK_RETENTION = timedelta(hours=24)
    folder = tmp_path / "briefings"
    folder.mkdir(parents=True)
    old, fresh, stale_tmp = folder / f"{'a' * 32}.xlsx", folder / f"{'b' * 32}.xlsx", folder / "c.123.tmp"
    for path in (old, fresh, stale_tmp):
        path.write_bytes(b"x")
    two_days_ago = time.time() - 48 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    os.utime(stale_tmp, (two_days_ago, two_days_ago))
    assert remove_old_workbooks() == 2
    assert not old.exists() and not stale_tmp.exists() and fresh.exists()
    assert remove_old_workbooks() == 0  # safe to run twice
    schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "feedback.results.tasks.remove_old_workbooks" in schedule
