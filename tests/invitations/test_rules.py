"""Who may register for an event without an invitation, by the event's state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("open_to_participants", "deadline_in", "allowed"),
    [(True, timedelta(days=1), True), (False, timedelta(days=1), False), (True, -timedelta(minutes=1), False)],
    ids=["open before the deadline", "by invitation only", "after the deadline"],
)
def test_register_depends_on_the_event(open_to_participants, deadline_in, allowed):
    start = timezone.now() + timedelta(days=10)
    event = EventFactory(
        open_to_participants=open_to_participants, starts_at=start, rsvp_deadline=timezone.now() + deadline_in
    )
    assert ParticipantFactory().has_perm("invitations.register", event) is allowed
