from unittest import mock

import pytest


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
def test_healthz_is_503_when_the_database_is_down(client):
    with mock.patch("nmp_portal.views.connection.cursor", side_effect=Exception("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"


@pytest.mark.django_db
def test_healthz_reports_a_broken_cache_but_stays_up(client):
    with mock.patch("nmp_portal.views.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == "error"


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with mock.patch("nmp_portal.views.celery_app.connection_for_write", side_effect=OSError("refused")):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "error"
