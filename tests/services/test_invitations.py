"""Invitations against the real servers: PostgreSQL row locks, Redis, a Celery worker that is killed, SMTP.

The SMTP server is aiosmtpd in this process; the worker is a separate process
that delivers to it. A second redis-server on its own port is started and
stopped for the broker-down test, so the shared Redis is never touched.
"""

import email
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from invitations import services
from invitations.models import Invitation
from tests.factories import EventFactory, InvitationFactory, OrganiserFactory

from .servers import free_port
from .test_concurrency import _run_concurrently

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"/uitnodiging/([A-Za-z0-9_\-]+)/")


class _Inbox:
    """aiosmtpd handler: keeps every message it receives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def count(self):
        with self.lock:
            return len(self.messages)


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def _plain_text(message):
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return ""


class _Worker:
    """A real Celery worker process on the test database, delivering to the local SMTP server."""

    def __init__(self, redis_url, smtp_port):
        from django.conf import settings

        db = settings.DATABASES["default"]
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "nmp_portal.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": redis_url,
            "NMP_TEST_SMTP_PORT": str(smtp_port),
            # A mail that was mid-send when the worker is killed is free again after 20 s, not
            # 10 minutes; one mail to the local server takes milliseconds.
            "CELERY_TASK_SOFT_TIME_LIMIT": "10",
            "CELERY_TASK_TIME_LIMIT": "15",
            "MAIL_CLAIM_LEASE": "20",
        }
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "nmp_portal", "worker", "--pool=solo", "--loglevel=WARNING",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        return self

    def purge(self):
        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "nmp_portal", "purge", "-f"],
            cwd=ROOT, env=self.env, capture_output=True, timeout=60,
        )  # fmt: skip

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _wait_until(condition, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def _use_broker(url):
    """Point this process's Celery app at ``url`` (a fresh connection pool)."""
    from kombu import pools

    from nmp_portal.celery import app
    from tests.celery_broker import _forget_connections

    app.conf.broker_url = url
    pools.reset()
    _forget_connections()


def _tick():
    """What celery beat does every minute: pick up queued invitations and due mail."""
    from invitations.tasks import pickup_queued_invitations
    from nmp_portal.tasks import deliver_due_mail

    pickup_queued_invitations.delay()
    deliver_due_mail.delay()
    return services.invitations_delivery_sync()


def _assert_one_message_per_invitee(inbox, invitations):
    by_id = {}
    for message in inbox.messages:
        by_id.setdefault(message["Message-ID"], message)
    assert len(by_id) == len(invitations), f"{len(inbox.messages)} messages, {len(by_id)} distinct"
    recipients = sorted(message["To"] for message in by_id.values())
    assert recipients == sorted(i.email for i in invitations)
    tokens = {LINK.search(_plain_text(message)).group(1) for message in by_id.values()}
    assert len(tokens) == len(invitations)  # each with its own link
    for token in list(tokens)[:20]:
        assert services.invitation_by_token(token) is not None


def test_fifty_simultaneous_yes_for_ten_places_give_ten_accepted_and_forty_waiting(transactional_db):
    assert connection.vendor == "postgresql"
    event = EventFactory(capacity=10)
    invitations = [InvitationFactory(event=event, state="sent") for _ in range(50)]
    calls = [
        lambda pk=invitation.pk: services.rsvp_answer(invitation=Invitation.objects.get(pk=pk), attending=True)
        for invitation in invitations
    ]
    results, errors = _run_concurrently(calls)
    assert errors == []
    assert len(results) == 50
    states = list(Invitation.objects.filter(event=event).values_list("state", flat=True))
    assert states.count("accepted") == 10
    assert states.count("waiting") == 40


def test_five_hundred_invitations_survive_a_killed_worker_and_arrive_exactly_once(transactional_db, smtp_server):
    from django.conf import settings

    event = EventFactory(capacity=500)
    invitations = [
        Invitation(event=event, name=f"Genodigde {i}", email=f"genodigde{i:03}@example.org") for i in range(500)
    ]
    Invitation.objects.bulk_create(invitations)
    worker = _Worker(settings.REDIS_URL, smtp_server.port)
    worker.purge()
    worker.start()
    try:
        assert services.invitations_send(event=event) == 500
        assert _wait_until(lambda: smtp_server.count() >= 250, timeout=180), smtp_server.count()
        worker.kill()  # halfway, possibly in the middle of a mail
        killed_at = smtp_server.count()
        assert killed_at < 500
        worker.start()
        assert _wait_until(
            lambda: (_tick() or True) and Invitation.objects.filter(event=event, state="sent").count() == 500,
            timeout=300,
            step=2,
        ), Invitation.objects.filter(event=event).exclude(state="sent").count()
    finally:
        worker.stop()
    _assert_one_message_per_invitee(smtp_server, list(Invitation.objects.filter(event=event)))


@pytest.fixture
def second_redis():
    """A redis-server of our own (not the shared one), started and stopped by the test."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed for the broker-down test (apt-get install redis-server)", pytrace=False)
    port = free_port()

    class Redis:
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            self.process = subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            assert _wait_until(lambda: _port_open(port), timeout=10)

        def stop(self):
            if self.process and self.process.poll() is None:
                self.process.terminate()
                self.process.wait(timeout=10)

    redis = Redis()
    yield redis
    redis.stop()


def _port_open(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_with_redis_down_the_admin_answers_within_two_seconds_and_the_mails_go_out_later(
    transactional_db, client, smtp_server, second_redis, settings
):
    from nmp_portal.celery import app
    from tests.auth import staff_mfa_login

    original_broker = app.conf.broker_url
    # The production cache (it degrades: sessions, whose copies live in the cache, come from the database).
    settings.CACHES = {
        "default": {
            "BACKEND": "nmp_portal.cache.DegradingRedisCache",
            "LOCATION": second_redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    _use_broker(second_redis.url)  # nothing listens there yet: Redis is down
    try:
        event = EventFactory(capacity=50)
        invitations = [InvitationFactory(event=event) for _ in range(20)]
        staff_mfa_login(client, OrganiserFactory())

        started = time.monotonic()
        response = client.post(f"/admin/invitations/event/{event.pk}/send/")
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        assert elapsed < 2, f"the admin took {elapsed:.2f} s with Redis down"
        assert set(Invitation.objects.filter(event=event).values_list("state", flat=True)) == {"queued"}
        page = client.get(f"/admin/invitations/event/{event.pk}/change/")
        assert page.status_code == 200 and 'data-state="queued">20<' in page.content.decode()

        second_redis.start()
        _use_broker(second_redis.url)
        worker = _Worker(second_redis.url, smtp_server.port).start()
        try:
            assert _wait_until(
                lambda: (_tick() or True) and Invitation.objects.filter(event=event, state="sent").count() == 20,
                timeout=120,
                step=2,
            )
        finally:
            worker.stop()
    finally:
        _use_broker(original_broker)
    _assert_one_message_per_invitee(smtp_server, invitations)
