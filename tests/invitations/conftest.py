import re

import pytest
from django.core import mail

from invitations import services
from invitations.models import Invitation
from tests.factories import EventFactory, InvitationFactory

LINK = re.compile(r"https?://[^\s\"<>]+/uitnodiging/([A-Za-z0-9_\-]+)/")


@pytest.fixture
def event(db):
    return EventFactory(capacity=2)


def token_from(message) -> str:
    """The personal token in a delivered mail (plain text part)."""
    return LINK.search(message.body).group(1)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Send the invitations of ``event`` the way the admin does, with the after-commit work run."""

    def _send(event, invitations=None, resend=False):
        with django_capture_on_commit_callbacks(execute=True):
            count = services.invitations_send(event=event, invitations=invitations, resend=resend)
        services.invitations_delivery_sync()
        return count

    return _send


@pytest.fixture
def invited(event, send):
    """Three invitees whose invitation mail was delivered; returns (invitation, token) pairs."""
    invitations = [InvitationFactory(event=event) for _ in range(3)]
    send(event)
    tokens = {m.to[0]: token_from(m) for m in mail.outbox}
    mail.outbox.clear()
    return [(Invitation.objects.get(pk=i.pk), tokens[i.email]) for i in invitations]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what the services queue for after commit (mail delivery), as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _after_commit_work_runs(monkeypatch, django_capture_on_commit_callbacks):
    """The test transaction never commits; run what these services queue for after commit as a commit would."""
    for name in ("rsvp_answer", "reminders_send", "practical_information_send", "event_capacity_update"):
        original = getattr(services, name)

        def wrapped(*args, _original=original, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return _original(*args, **kwargs)

        monkeypatch.setattr(services, name, wrapped)


@pytest.fixture(autouse=True)
def _language_restored():
    """A request to an /en/ page leaves English active in this thread; give the next test the language it had."""
    from django.utils import translation

    with translation.override(translation.get_language()):
        yield
