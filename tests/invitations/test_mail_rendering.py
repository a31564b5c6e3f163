"""Invitation mails of a chunk are rendered once per group, then filled in per invitee (invitations.mails).

What an invitee receives must be exactly what rendering their own mail gives: names and notes with
markup characters, direction marks and line breaks, both languages, two events in one chunk.
"""

import logging

import pytest

from invitations import mails
from invitations.models import Invitation
from tests.factories import EventFactory, InvitationFactory

pytestmark = pytest.mark.django_db

NAMES = [
    "Jan Jansen",
    'Anna "<b>vet</b>" & Zn',
    "\u202eevil\u202c Omgekeerd",
    "Pieter {{ token }} %(event)s",
    "Fatima \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
]
NOTES = ["", "Fijn als u komt.\nTot dan!", "Let op: <script>alert(1)</script> & 'quotes'"]


def _invitees():
    events = [EventFactory(title="Najaar <Utrecht> & Den Haag"), EventFactory()]
    invitees = []
    for n, name in enumerate(NAMES * 2):
        invitees.append(
            InvitationFactory(
                event=events[n % 2], name=name, note=NOTES[n % len(NOTES)], language=["nl", "en"][n // 3 % 2]
            )
        )
    return list(Invitation.objects.select_related("event").filter(pk__in=[i.pk for i in invitees]).order_by("pk"))


def test_each_invitee_gets_exactly_the_mail_rendering_their_own_would_give(monkeypatch):
    invitees = _invitees()
    pairs = [(invitation, f"token-{invitation.pk}_Ab9") for invitation in invitees]
    sent = []
    monkeypatch.setattr(mails, "_queue_many", lambda messages: sent.extend(messages) or messages)
    mails.invitation_mails(invitations_with_tokens=pairs)
    assert len(sent) == len(invitees)
    for (invitation, token), message in zip(pairs, sent, strict=True):
        assert message == mails._invitation_message(invitation, token)
        assert message["recipients"] == [invitation.email]
        assert f"/{token}/" in message["message"]  # the personal link, in the language of the mail
        assert mails._MARKER not in message["message"] + message["html_message"]


def test_a_template_that_shows_a_personal_value_another_way_falls_back_to_rendering_each(monkeypatch, caplog):
    invitees = _invitees()[:3]
    pairs = [(invitation, f"token-{invitation.pk}") for invitation in invitees]
    original = mails._invitation_message

    def shouting(invitation, token):  # as if the template said {{ invitation.name|upper }}
        message = original(invitation, token)
        return {**message, "message": message["message"] + invitation.name.upper()}

    monkeypatch.setattr(mails, "_invitation_message", shouting)
    sent = []
    monkeypatch.setattr(mails, "_queue_many", lambda messages: sent.extend(messages) or messages)
    with caplog.at_level(logging.WARNING, logger="invitations.mails"):
        mails.invitation_mails(invitations_with_tokens=pairs)
    assert [message["message"] for message in sent] == [shouting(i, t)["message"] for i, t in pairs]
    assert "rendered per invitee" in caplog.text


def test_a_template_showing_a_field_without_a_value_falls_back_too(monkeypatch):
    invitees = _invitees()[:2]
    pairs = [(invitation, "t") for invitation in invitees]
    original = mails._invitation_message

    def with_organisation(invitation, token):  # as if the template showed {{ invitation.organisation }}
        message = original(invitation, token)
        return {**message, "html_message": message["html_message"] + invitation.organisation}

    monkeypatch.setattr(mails, "_invitation_message", with_organisation)
    invitees[1].organisation = "Provincie Zeeland"
    sent = []
    monkeypatch.setattr(mails, "_queue_many", lambda messages: sent.extend(messages) or messages)
    mails.invitation_mails(invitations_with_tokens=pairs)
    assert sent[1]["html_message"].endswith("Provincie Zeeland")


def test_the_queued_mail_keeps_template_syntax_from_a_name_or_note_as_written(settings):
    from unittest import mock

    from post_office.models import STATUS

    invitation = InvitationFactory(name="Anna {{ x }} {% now 'Y' %}", note="Tot {% if 1 %}ziens", language="nl")
    with mock.patch("nmp_portal.tasks.deliver_mail.delay"):
        (email,) = mails.invitation_mails(invitations_with_tokens=[(invitation, "tok")])
    email.refresh_from_db()
    assert "Beste Anna {{ x }} {% now 'Y' %}," in email.message
    assert "Tot {% if 1 %}ziens" in email.message
    assert "Anna {{ x }} {% now &#x27;Y&#x27; %}" in email.html_message
    assert email.status == STATUS.queued
    assert email.to == [invitation.email]
    assert email.message_id.endswith(f"@{settings.POST_OFFICE['MESSAGE_ID_FQDN']}>")  # the site's domain
    assert email.subject == mails._invitation_message(invitation, "tok")["subject"]
