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
    # A developer's own .env must not leak into these runs.
    base["NMP_ENV_FILE"] = str(ROOT / "var" / "no-such-env-file")
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


def _health_checks(env):
    result = _run(env, "shell", "-c", "from django.conf import settings; print(settings.DATABASES['default'])")
    assert result.returncode == 0, result.stderr
    return "'CONN_HEALTH_CHECKS': True" in result.stdout.splitlines()[-1]


def test_kept_connections_are_tested_before_reuse_unless_pgbouncer_does_it():
    """Directly on PostgreSQL a kept connection is tested before reuse (a restart costs no request);
    behind PgBouncer the connection is to PgBouncer, which outlives a PostgreSQL restart: no round trip."""
    assert _health_checks(PRODUCTION_ENV)
    assert not _health_checks({**PRODUCTION_ENV, "DATABASE_TRANSACTION_POOLING": "true"})
    assert _health_checks(
        {**PRODUCTION_ENV, "DATABASE_TRANSACTION_POOLING": "true", "DJANGO_CONN_HEALTH_CHECKS": "true"}
    )


def test_env_example_documents_every_variable():
    text = (ROOT / ".env.example").read_text()
    operator_settings = [
        "EMAIL_TIMEOUT",
        "REDIS_CONNECT_TIMEOUT",
        "REDIS_SOCKET_TIMEOUT",
        "CELERY_TASK_SOFT_TIME_LIMIT",
        "CELERY_TASK_TIME_LIMIT",
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        "ALLAUTH_TRUSTED_CLIENT_IP_HEADER",
        "DJANGO_CONN_MAX_AGE",
        "DJANGO_CONN_HEALTH_CHECKS",
    ]
    for name in [*PRODUCTION_ENV, "DJANGO_DEBUG", *operator_settings]:
        assert f"{name}=" in text, name


def test_production_refuses_debug_and_console_mail():
    result = _run({**PRODUCTION_ENV, "DJANGO_DEBUG": "true"}, "check")
    assert result.returncode != 0
    assert "Refusing to start with production settings: DJANGO_DEBUG is on" in result.stderr.splitlines()[0]
    result = _run({**PRODUCTION_ENV, "EMAIL_URL": "consolemail://"}, "check")
    assert result.returncode != 0
    assert "EMAIL_URL does not name an SMTP server" in result.stderr.splitlines()[0]


SHOW = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"


def test_settings_module_from_env_file_for_manage_py_and_the_celery_app(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in PRODUCTION_ENV.items()))
    result = _run({"NMP_ENV_FILE": str(env_file)}, "shell", "-c", SHOW)
    assert result.stdout.strip().splitlines()[-1].split() == ["nmp_portal.settings.production", "False"], result.stderr
    # The worker imports the Celery app first (`celery -A nmp_portal`), before anything else chose settings.
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    worker = subprocess.run(
        [sys.executable, "-c", f"import nmp_portal.celery; {SHOW}"],
        cwd=ROOT,
        env={**base, "NMP_ENV_FILE": str(env_file)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.stdout.split() == ["nmp_portal.settings.production", "False"], worker.stderr


def test_each_entry_point_has_its_default_when_nothing_chooses():
    from nmp_portal import environment

    saved = os.environ.pop("DJANGO_SETTINGS_MODULE")
    try:
        environment._defaulted = False
        with_no_file = str(ROOT / "var" / "no-such-env-file")
        os.environ["NMP_ENV_FILE"] = with_no_file
        environment.use_settings(default="nmp_portal.settings.production")  # the Celery app, imported first
        environment.use_settings(default="nmp_portal.settings.local")  # then manage.py
        assert os.environ["DJANGO_SETTINGS_MODULE"] == "nmp_portal.settings.local"
        os.environ["DJANGO_SETTINGS_MODULE"] = "nmp_portal.settings.production"  # the operator's choice
        environment._defaulted = False
        environment.use_settings(default="nmp_portal.settings.local")
        assert os.environ["DJANGO_SETTINGS_MODULE"] == "nmp_portal.settings.production"
    finally:
        os.environ["DJANGO_SETTINGS_MODULE"] = saved
        os.environ.pop("NMP_ENV_FILE", None)
        environment._defaulted = False
