import time
from unittest import mock

import pytest

from nmp_portal import health

# Nothing listens on port 1: connecting is refused at once.
CLOSED = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _fresh_probes():
    health.forget_probes()
    yield
    health.forget_probes()


@pytest.fixture
def redis_down(settings):
    settings.REDIS_URL = CLOSED
    settings.CELERY_BROKER_URL = CLOSED
    settings.CACHES = {"default": {"BACKEND": "nmp_portal.cache.DegradingRedisCache", "LOCATION": CLOSED}}


@pytest.mark.django_db
def test_healthz_reports_each_component(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "not configured"},
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_is_the_documented_healthz(client):
    assert client.get("/healthz/ready").json() == client.get("/healthz").json()


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client):
    with mock.patch("nmp_portal.health.connection.cursor", side_effect=Exception("connection refused")):
        response = client.get("/healthz")
        ready = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"
    assert ready.status_code == 503


def test_liveness_answers_without_the_database(client):
    with mock.patch("nmp_portal.health.connection.cursor", side_effect=Exception("connection refused")):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_reports_redis_down_but_stays_up_and_fast(client, redis_down):
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 1
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "error", "broker": "error"}


@pytest.mark.django_db
def test_the_redis_probe_is_remembered_for_a_while(client, redis_down):
    with mock.patch("nmp_portal.health._ping", return_value="error") as ping:
        for _ in range(5):
            client.get("/healthz")
    # One probe each for cache and broker, not one per request.
    assert ping.call_count == 2
    with (
        mock.patch("nmp_portal.health._ping", return_value="ok") as ping,
        mock.patch("nmp_portal.health.time.monotonic", return_value=time.monotonic() + health.PROBE_TTL + 1),
    ):
        assert client.get("/healthz").json()["checks"]["broker"] == "ok"
