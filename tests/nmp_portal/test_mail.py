"""All mail goes through the database queue and leaves only after commit."""

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.db import transaction
from post_office.models import STATUS, Email


@pytest.mark.django_db
def test_mail_in_a_rolled_back_transaction_is_never_sent(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_mail("Onderwerp", "Tekst", None, ["deelnemer@example.org"])
        raise RuntimeError("rollback")
    assert callbacks == []
    assert not Email.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_mail_in_a_committed_transaction_is_queued_then_delivered(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_mail("Uitnodiging", "Welkom", None, ["deelnemer@example.org"])
    email = Email.objects.get()
    assert email.status == STATUS.queued  # queued in the database, nothing sent yet
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()  # the transaction commits: the Celery task runs (eagerly here)

    email.refresh_from_db()
    assert email.status == STATUS.sent
    assert [m.subject for m in mail.outbox] == ["Uitnodiging"]
    assert mail.outbox[0].to == ["deelnemer@example.org"]


@pytest.mark.django_db
def test_delivery_is_safe_to_run_twice(django_capture_on_commit_callbacks):
    from nmp_portal.mail import mail_deliver

    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Eén keer", "Tekst", None, ["deelnemer@example.org"])
    email = Email.objects.get()
    assert mail_deliver(email_id=email.pk) is None  # already sent: nothing happens
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_failed_delivery_is_requeued_then_retried_by_the_periodic_task(django_capture_on_commit_callbacks, settings):
    from unittest import mock

    from django.utils import timezone

    from nmp_portal.tasks import deliver_due_mail

    with (
        mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("smtp down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_mail("Herkansing", "Tekst", None, ["deelnemer@example.org"])
    email = Email.objects.get()
    assert email.status == STATUS.requeued
    assert email.number_of_retries == 1
    assert email.logs.filter(status=STATUS.failed, message="smtp down").exists()

    deliver_due_mail()  # not due yet: waits for the retry interval
    assert Email.objects.get().status == STATUS.requeued
    Email.objects.filter(pk=email.pk).update(scheduled_time=timezone.now())
    deliver_due_mail()
    assert Email.objects.get().status == STATUS.sent
    assert [m.subject for m in mail.outbox] == ["Herkansing"]


@pytest.mark.django_db
def test_message_id_carries_the_sites_domain(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Onderwerp", "Tekst", None, ["deelnemer@example.org"])
    message_id = Email.objects.get().message_id
    domain = settings.SITE_URL.split("://")[1].split(":")[0]
    assert message_id.endswith(f"@{domain}>")
    assert mail.outbox[0].extra_headers["Message-ID"] == message_id


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_talking_to_the_mail_server():
    from unittest import mock

    from django.db import connection

    from nmp_portal.mail import due_mail_ids, mail_deliver

    with mock.patch("nmp_portal.mail.transaction.on_commit"):
        send_mail("Onderwerp", "Tekst", None, ["deelnemer@example.org"])
    email = Email.objects.get()
    seen = {}

    def send_messages(messages):
        seen["in_transaction"] = connection.in_atomic_block
        # Claimed: no other worker or sweep picks it up while this one sends.
        seen["due"] = due_mail_ids()
        return len(messages)

    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=send_messages):
        assert mail_deliver(email_id=email.pk) == STATUS.sent
    assert seen == {"in_transaction": False, "due": []}
    email.refresh_from_db()
    assert email.status == STATUS.sent
    assert email.scheduled_time is None  # the claim leaves no trace on a sent mail


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_dies_mid_send_leaves_the_mail_to_the_sweep_after_the_lease():
    from unittest import mock

    from django.utils import timezone

    from nmp_portal.mail import claim_lease, due_mail_ids, mail_deliver

    with mock.patch("nmp_portal.mail.transaction.on_commit"):
        send_mail("Onderwerp", "Tekst", None, ["deelnemer@example.org"])
    email = Email.objects.get()

    class WorkerKilled(BaseException):
        pass

    with (
        mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=WorkerKilled),
        pytest.raises(WorkerKilled),
    ):
        mail_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == STATUS.queued
    assert due_mail_ids() == []
    with mock.patch("nmp_portal.mail.timezone.now", return_value=timezone.now() + claim_lease()):
        assert due_mail_ids() == [email.pk]
        assert mail_deliver(email_id=email.pk) == STATUS.sent
    assert len(mail.outbox) == 1


def test_a_claim_shorter_than_the_task_time_limit_stops_start_up(settings):
    from django.core.checks import run_checks

    settings.CELERY_TASK_TIME_LIMIT = 300
    settings.MAIL_CLAIM_LEASE = 200
    errors = [e for e in run_checks() if e.id == "nmp_portal.E001"]
    assert len(errors) == 1
    assert "MAIL_CLAIM_LEASE (200 s)" in errors[0].msg
    settings.MAIL_CLAIM_LEASE = 600
    assert [e for e in run_checks() if e.id == "nmp_portal.E001"] == []
