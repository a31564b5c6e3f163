"""Invitations and answers are part of the data export and go with account deletion."""

import pytest

from participants.exports import account_export
from participants.services import account_delete
from tests.factories import InvitationFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_the_export_lists_the_participants_invitations_and_answers():
    user = ParticipantFactory()
    InvitationFactory(email=user.email.upper(), state="accepted", needs="Rolstoel", note="Graag tot dan")
    InvitationFactory()  # someone else's
    (section,) = account_export(user=user)["invitations"]
    assert (
        section["state"] == "accepted"
        and section["needs"] == "Rolstoel"
        and section["personal_note"] == "Graag tot dan"
    )


def test_account_deletion_removes_the_person_from_every_roster():
    user = ParticipantFactory()
    invitation = InvitationFactory(email=user.email, user=user, needs="Rolstoel", token_hash="a" * 64)
    by_address_only = InvitationFactory(email=user.email.upper())  # another event, not linked to the account
    other = InvitationFactory()
    account_delete(user=user)
    by_address_only.refresh_from_db()
    assert by_address_only.name == "" and by_address_only.email.endswith("@deleted.invalid")
    invitation.refresh_from_db()
    assert (invitation.name, invitation.needs, invitation.organisation, invitation.token_hash) == ("", "", "", None)
    assert invitation.email.endswith("@deleted.invalid") and invitation.user is None
    assert invitation.state == "concept"  # the count per state is kept
    other.refresh_from_db()
    assert other.name
