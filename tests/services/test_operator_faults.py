"""Faults an operator meets: a mail server that hangs, settings only in .env, a PostgreSQL restart, a restore."""

import hashlib
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.mail import send_mail
from django.db import connection, connections, transaction
from django.test import RequestFactory
from django.utils import timezone
from post_office.models import STATUS, Email

from feedback.models import Comment, Vote
from nmp_portal import backup
from nmp_portal.mail import mail_deliver
from tests.factories import ParticipantFactory, RecommendationFactory, TopicFactory

from .servers import RecordingSMTPServer, SilentSMTPServer, start_celery_worker

ROOT = Path(__file__).resolve().parents[2]


def _admin_connection():
    """A superuser connection to the maintenance database, outside Django's connections."""
    db = connection.settings_dict
    admin = psycopg2.connect(dbname="postgres", host=db["HOST"], port=db["PORT"], user=db["USER"])
    admin.autocommit = True
    return admin


def _idle_in_transaction(admin, database):
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state LIKE 'idle in transaction%%'",
            [database],
        )
        return cursor.fetchone()[0]


# --- SMTP -------------------------------------------------------------------------------------


def test_a_mail_server_that_never_answers_holds_no_transaction(transactional_db, settings):
    server = SilentSMTPServer()
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 3
    settings.POST_OFFICE = {
        **settings.POST_OFFICE,
        "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"},
    }
    from unittest import mock

    with mock.patch("nmp_portal.mail.transaction.on_commit"):
        send_mail("Wachtwoord herstellen", "Link", None, ["deelnemer@example.org"])
    email = Email.objects.get()
    outcome = {}

    def deliver():
        try:
            outcome["status"] = mail_deliver(email_id=email.pk)
        finally:
            connections.close_all()

    admin = _admin_connection()
    started = time.monotonic()
    worker = threading.Thread(target=deliver)
    worker.start()
    try:
        deadline = time.monotonic() + 5
        while not server.connections and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.connections, "the worker never reached the mail server"
        # The worker is waiting for the server's greeting now.
        samples = []
        while worker.is_alive() and time.monotonic() - started < 2.5:
            samples.append(_idle_in_transaction(admin, connection.settings_dict["NAME"]))
            time.sleep(0.1)
        assert samples and max(samples) == 0, samples
        worker.join(timeout=30)
    finally:
        admin.close()
        server.close()
    # EMAIL_TIMEOUT ends the wait; the attempt is logged and the mail requeued for later.
    assert time.monotonic() - started < 10
    assert outcome["status"] == STATUS.requeued
    email.refresh_from_db()
    assert email.status == STATUS.requeued
    assert email.logs.filter(status=STATUS.failed).exists()


# --- Settings only in .env --------------------------------------------------------------------


def test_env_file_alone_makes_worker_and_manage_py_run_production(transactional_db, tmp_path, settings):
    smtp = RecordingSMTPServer()
    db = connection.settings_dict
    env_file = tmp_path / ".env"
    env_file.write_text(
        "\n".join(
            [
                "DJANGO_SETTINGS_MODULE=nmp_portal.settings.production",
                "DJANGO_SECRET_KEY=" + "x" * 60,
                "DJANGO_ALLOWED_HOSTS=nmp.example.nl",
                f"DATABASE_URL=postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
                f"REDIS_URL={settings.REDIS_URL}",
                f"EMAIL_URL=smtp://127.0.0.1:{smtp.port}",
                "SITE_URL=https://nmp.example.nl",
                "DJANGO_CONN_MAX_AGE=0",
            ]
        )
        + "\n"
    )
    # Nothing but the path of the .env file: no settings module, no database in the environment.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_", "SITE_", "PYTEST_"))
    }
    env["NMP_ENV_FILE"] = str(env_file)

    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings as s; print(s.SETTINGS_MODULE)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.stdout.strip().splitlines()[-1] == "nmp_portal.settings.production", shown.stderr

    from unittest import mock

    with mock.patch("nmp_portal.mail.transaction.on_commit"):
        send_mail(
            "Wachtwoord herstellen",
            "https://nmp.example.nl/account/password/reset/key/geheim/",
            None,
            ["a@example.org"],
        )
    worker = start_celery_worker(env)
    try:
        # The worker's start-up sweep delivers the queued mail through SMTP, as production does.
        messages = smtp.wait_for(1, timeout=60)
    finally:
        worker.terminate()
        try:
            log, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            log, _ = worker.communicate()
        smtp.close()
    assert len(messages) == 1, log
    assert "/account/password/reset/key/geheim/" in messages[0]
    assert "geheim" not in log  # not printed to the worker's log by a console backend
    assert Email.objects.get().status == STATUS.sent


# --- PostgreSQL restart -----------------------------------------------------------------------


def _get(path="/"):
    """A request through the real WSGI handler, which closes and checks connections as in production."""
    responses = []
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
    body = WSGIHandler()(environ, lambda status, headers: responses.append(int(status.split()[0])))
    content = b"".join(body)
    body.close()
    return responses[0], content


def _terminate_backends(admin, database):
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )


@pytest.fixture
def persistent_connections(transactional_db):
    """Production's connection settings: kept open between requests, checked before reuse."""
    saved = dict(connection.settings_dict)
    connection.settings_dict.update(CONN_MAX_AGE=600, CONN_HEALTH_CHECKS=True)
    connection.close()
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def test_postgresql_restart_gives_503_then_the_site_recovers_by_itself(persistent_connections):
    now = timezone.now()
    TopicFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
    database = connection.settings_dict["NAME"]
    assert _get()[0] == 200
    assert connection.connection is not None  # kept open for the next request

    admin = _admin_connection()
    try:
        # A restart: every connection is cut, and new ones are refused until the server is back.
        with admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
        _terminate_backends(admin, database)
        # Anonymous readers still get the pages in the page cache (topics/pagecache.py) ...
        assert _get()[0] == 200
        # ... and whatever needs the database gets the 503 page.
        cache.clear()
        status, content = _get()
        assert status == 503
        assert b"De website is even niet beschikbaar" in content
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')
    # Back: the first request reconnects, no process restart needed.
    assert _get()[0] == 200

    # A connection cut between two requests (server restarted while idle) is replaced unnoticed.
    _terminate_backends(admin, database)
    admin.close()
    assert _get()[0] == 200


def test_the_worker_survives_a_postgresql_restart_without_being_restarted(transactional_db, request):
    request.getfixturevalue("celery_worker_process")
    database = connection.settings_dict["NAME"]
    with transaction.atomic():
        send_mail("Voor de herstart", "Tekst", None, ["deelnemer@example.org"])
    assert _wait_for_sent("Voor de herstart")

    admin = _admin_connection()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
        # This test's own connection stays open to queue a mail; the worker cannot connect now.
        with transaction.atomic():
            send_mail("Tijdens de herstart", "Tekst", None, ["deelnemer@example.org"])
        time.sleep(2)  # the worker's attempt fails and is retried with backoff
        assert not Email.objects.filter(subject="Tijdens de herstart", status=STATUS.sent).exists()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')
        admin.close()
    # Back: the retry delivers it, the same worker process, never restarted.
    assert _wait_for_sent("Tijdens de herstart", timeout=45)


def _wait_for_sent(subject, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Email.objects.filter(subject=subject, status=STATUS.sent).exists():
            return True
        time.sleep(0.25)
    return False


# --- Restore drill ----------------------------------------------------------------------------


def _fingerprint():
    votes = list(Vote.objects.order_by("pk").values_list("pk", "participant_id", "recommendation_id", "choice"))
    comments = list(
        Comment.objects.order_by("pk").values_list("pk", "author_id", "parent_id", "text", "is_hidden", "is_deleted")
    )
    digest = hashlib.sha256(repr((votes, comments)).encode()).hexdigest()
    return {"votes": len(votes), "comments": len(comments), "checksum": digest}


def test_restore_drill(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "briefings").mkdir(parents=True)
    (settings.MEDIA_ROOT / "briefings" / "werkmap.xlsx").write_bytes(b"werkmap van de najaarssessie")
    now = timezone.now()
    topic = TopicFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
    recommendations = [RecommendationFactory(topic=topic, position=i) for i in range(1, 4)]
    people = ParticipantFactory.create_batch(6)
    for n, person in enumerate(people):
        for recommendation in recommendations:
            Vote.objects.create(
                participant=person, recommendation=recommendation, choice=["agree", "neutral", "disagree"][n % 3]
            )
        thread = Comment.objects.create(
            topic=topic, recommendation=recommendations[0], author=person, text=f"Punt {n} – één"
        )
        Comment.objects.create(
            topic=topic, recommendation=recommendations[0], author=people[0], parent=thread, text="Antwoord"
        )
    before = _fingerprint()
    assert before["votes"] == 18 and before["comments"] == 12

    directory = backup.backup_create(directory=tmp_path / "backup")

    # Things go wrong after the backup.
    Vote.objects.filter(choice="agree").delete()
    Comment.objects.filter(parent__isnull=False).update(text="overschreven")
    Comment.objects.create(topic=topic, author=people[1], text="Na de backup")
    (settings.MEDIA_ROOT / "briefings" / "werkmap.xlsx").unlink()
    assert _fingerprint() != before

    backup.backup_restore(directory=directory)
    assert _fingerprint() == before
    assert (settings.MEDIA_ROOT / "briefings" / "werkmap.xlsx").read_bytes() == b"werkmap van de najaarssessie"
