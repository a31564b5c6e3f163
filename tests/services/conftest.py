"""The services suite: real PostgreSQL, Redis and a Celery worker (``make test-services``, CI)."""

import os
import subprocess
import time

import pytest

from .servers import start_celery_worker


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/services/" in str(item.fspath):
            item.add_marker(pytest.mark.services)


@pytest.fixture(scope="session", autouse=True)
def _require_real_services():
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine or not settings.REDIS_URL:
        pytest.fail(
            "The services suite needs DATABASE_URL (PostgreSQL) and REDIS_URL; run `make test-services`.",
            pytrace=False,
        )


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real Celery worker in its own process, on the test database and Redis."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nmp_portal.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    worker = start_celery_worker(env)
    from nmp_portal.celery import app

    def stop():
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            replies = app.control.ping(timeout=1)
            if replies:
                break
            if worker.poll() is not None:
                pytest.fail(f"Celery worker exited early:\n{worker.stdout.read()}")
        else:
            pytest.fail("Celery worker did not answer a ping within 60 s")
    except BaseException:
        # Never leave a worker behind: it would take the next run's tasks.
        stop()
        raise
    yield worker
    stop()
