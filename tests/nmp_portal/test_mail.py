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
