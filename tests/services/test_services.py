"""Against the real servers: PostgreSQL for data, Redis for cache and broker, a Celery worker for mail."""

import time

import pytest
from django.core.mail import send_mail
from django.db import connection, transaction
from post_office.models import STATUS, Email


@pytest.mark.django_db
def test_runs_on_postgresql():
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_content_loads_on_postgresql(nmp_content):
    assert nmp_content.count() == 10


@pytest.mark.django_db
def test_healthz_sees_database_cache_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_redis_is_the_django_cache():
    from django.core.cache import cache, caches
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    cache.set("services-suite", "ja", 10)
    assert cache.get("services-suite") == "ja"


def _wait_for_status(email_id, status, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        email = Email.objects.get(pk=email_id)
        if email.status == status:
            return email
        time.sleep(0.25)
    return Email.objects.get(pk=email_id)


def test_committed_mail_is_delivered_by_a_real_worker(celery_worker_process):
    with transaction.atomic():
        send_mail("Uitnodiging najaarssessie", "Welkom", None, ["deelnemer@example.org"])
    email = Email.objects.get(subject="Uitnodiging najaarssessie")
    email = _wait_for_status(email.pk, STATUS.sent)
    assert email.status == STATUS.sent


def test_rolled_back_mail_is_never_sent(celery_worker_process):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_mail("Mag niet weg", "Tekst", None, ["deelnemer@example.org"])
        raise RuntimeError("rollback")
    with transaction.atomic():
        send_mail("Controle", "Tekst", None, ["deelnemer@example.org"])
    control = Email.objects.get(subject="Controle")
    assert _wait_for_status(control.pk, STATUS.sent).status == STATUS.sent
    assert not Email.objects.filter(subject="Mag niet weg").exists()
