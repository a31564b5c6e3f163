"""Who may register for an event without an invitation (django-rules; the event is the object)."""

import rules
from django.utils import timezone

from participants.rules import can_contribute


@rules.predicate
def event_open_to_participants(user, event):
    return bool(event is not None and event.open_to_participants)


@rules.predicate
def event_before_deadline(user, event):
    return bool(event is not None and timezone.now() <= event.rsvp_deadline)


# "Who" and "when" in one question: a participant who may contribute, an open event, before the deadline.
rules.add_perm("invitations.register", can_contribute & event_open_to_participants & event_before_deadline)
