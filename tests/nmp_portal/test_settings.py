"""Production settings refuse to start half-configured and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "nmp_portal.settings.production",
    "DJANGO_SECRET_KEY": "x" * 30 + "a-long-random-production-secret-key-0123456789",
    "DJANGO_ALLOWED_HOSTS": "nmp.example.nl",
    "DATABASE_URL": "postgres://nmp:secret@127.0.0.1:5432/nmp",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://user:pass@smtp.example.nl:587",
    "SITE_URL": "https://nmp.example.nl",
}


def _run(env, *args):
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_", "SITE_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_variable_stops_startup_with_one_clear_line():
    env = dict(PRODUCTION_ENV)
    del env["REDIS_URL"]
    result = _run(env, "check")
    assert result.returncode != 0
    assert "Missing required environment variable: REDIS_URL (see .env.example)" in result.stderr.splitlines()[0]


def test_debug_is_off_and_deploy_check_is_clean():
    result = _run(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    result = _run(PRODUCTION_ENV, "shell", "-c", "from django.conf import settings; print(settings.DEBUG)")
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_env_example_documents_every_variable():
    text = (ROOT / ".env.example").read_text()
    for name in [*PRODUCTION_ENV, "DJANGO_DEBUG"]:
        assert f"{name}=" in text, name
