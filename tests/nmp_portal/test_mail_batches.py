"""Mail in batches: the mails of one transaction go to one delivery task and over one connection,
each still claimed and recorded on its own (see nmp_portal/mail.py)."""

from unittest import mock

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.db import transaction
from post_office.models import STATUS, Email

from invitations import services
from invitations.models import Invitation
from nmp_portal.mail import mail_deliver_many
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def _queue(n, subject="Uitnodiging"):
    with mock.patch("nmp_portal.tasks.deliver_mail.delay"), transaction.atomic():
        for i in range(n):
            send_mail(f"{subject} {i}", "Tekst", None, [f"deelnemer{i}@example.org"])
    return list(Email.objects.order_by("pk").values_list("pk", flat=True))


def test_the_mails_of_one_transaction_go_to_one_delivery_task(django_capture_on_commit_callbacks):
    with (
        mock.patch("nmp_portal.tasks.deliver_mail.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        for i in range(3):
            send_mail(f"Uitnodiging {i}", "Tekst", None, [f"deelnemer{i}@example.org"])
    ids = list(Email.objects.order_by("pk").values_list("pk", flat=True))
    delay.assert_called_once_with(ids)


def test_mails_of_a_rolled_back_savepoint_are_not_handed_over(django_capture_on_commit_callbacks):
    with (
        mock.patch("nmp_portal.tasks.deliver_mail.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        send_mail("Blijft", "Tekst", None, ["a@example.org"])
        try:
            with transaction.atomic():
                send_mail("Teruggedraaid", "Tekst", None, ["b@example.org"])
                raise RuntimeError
        except RuntimeError:
            pass
    kept = Email.objects.get().pk
    delivered = [i for call in delay.call_args_list for i in call.args[0]]
    assert kept in delivered
    assert Email.objects.filter(pk__in=delivered).count() == 1


def test_a_batch_is_delivered_over_one_connection_and_each_mail_recorded():
    ids = _queue(3)
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.open", autospec=True) as opened:
        outcome = mail_deliver_many(email_ids=ids)
    assert outcome == dict.fromkeys(ids, STATUS.sent)
    assert opened.call_count == 1
    assert sorted(m.subject for m in mail.outbox) == ["Uitnodiging 0", "Uitnodiging 1", "Uitnodiging 2"]
    assert all(e.logs.filter(status=STATUS.sent).count() == 1 for e in Email.objects.all())
    assert mail_deliver_many(email_ids=ids) == {}  # safe to run twice: nothing is due any more


def test_a_failure_in_a_batch_requeues_that_mail_and_the_next_ones_still_go(settings):
    ids = _queue(3)
    original = mail.backends.locmem.EmailBackend.send_messages

    def send_messages(self, messages):
        if messages[0].subject == "Uitnodiging 1":
            raise OSError("verbinding verbroken")
        return original(self, messages)

    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", send_messages):
        outcome = mail_deliver_many(email_ids=ids)
    assert outcome == {ids[0]: STATUS.sent, ids[1]: STATUS.requeued, ids[2]: STATUS.sent}
    failed = Email.objects.get(pk=ids[1])
    assert failed.number_of_retries == 1
    assert failed.logs.filter(status=STATUS.failed, message="verbinding verbroken").exists()
    assert sorted(m.subject for m in mail.outbox) == ["Uitnodiging 0", "Uitnodiging 2"]


def test_a_chunk_of_invitations_is_made_in_one_transaction_and_delivered_as_one_batch(
    django_capture_on_commit_callbacks,
):
    event = EventFactory()
    Invitation.objects.bulk_create(
        [Invitation(event=event, name=f"Genodigde {i}", email=f"genodigde{i}@example.org") for i in range(4)]
    )
    with mock.patch("invitations.services.queue_invitation_mails"):
        services.invitations_send(event=event)
    ids = list(Invitation.objects.filter(event=event).values_list("pk", flat=True))
    with (
        mock.patch("nmp_portal.tasks.deliver_mail.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.invitation_mails_queue(invitation_ids=ids)
    mails = list(Invitation.objects.filter(event=event).order_by("pk").values_list("mail", flat=True))
    assert None not in mails
    delay.assert_called_once()
    assert sorted(delay.call_args.args[0]) == sorted(mails)


def test_each_outcome_is_written_before_the_next_mail_goes_out():
    """A worker killed mid-batch leaves only the mail in flight to be sent again after the lease."""
    ids = _queue(3)
    seen = []
    original = mail.backends.locmem.EmailBackend.send_messages

    def send_messages(self, messages):
        seen.append(sorted(Email.objects.filter(status=STATUS.sent).values_list("pk", flat=True)))
        return original(self, messages)

    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", send_messages):
        mail_deliver_many(email_ids=ids)
    assert seen == [[], ids[:1], ids[:2]]
    assert list(Email.objects.order_by("pk").values_list("scheduled_time", flat=True)) == [None] * 3
