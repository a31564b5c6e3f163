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
