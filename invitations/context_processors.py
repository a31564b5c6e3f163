import functools
import threading
import time

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from feedback.memory import WorkerMemory

# Pages that announce the coming event to those it concerns.
ANNOUNCED_ON = {"topics:home", "topics:detail"}


def announcement(request):
    """The visitor's invitation to the next event, for the home page and topic pages (one query, only when shown)."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or match.view_name not in ANNOUNCED_ON or user is None or not user.is_authenticated:
        return {}
    return {"event_invitation": SimpleLazyObject(lambda: event_announcement(user))}


# The events that have not ended, per worker, for a few seconds: asked on every logged-in topic page.
EVENTS_SECONDS = 10
_events = {"at": None, "events": ()}
_events_lock = threading.Lock()


def coming_events():
    """Events that have not ended yet, soonest first (kept ``EVENTS_SECONDS`` per worker; there are few)."""
    from .models import Event

    now = time.monotonic()
    with _events_lock:
        if _events["at"] is not None and now - _events["at"] < EVENTS_SECONDS:
            return _events["events"]
    events = tuple(Event.objects.filter(ends_at__gte=timezone.now()).order_by("starts_at"))
    with _events_lock:
        _events.update(at=now, events=events)
    return events


def forget_coming_events():
    with _events_lock:
        _events.update(at=None, events=())


def _invited(user, events):
    """{event id: state} of the user's answerable invitations to ``events``: by account, or by a confirmed address.

    One query: two index lookups in a UNION (an OR of the two made PostgreSQL
    read every invitation of the event). Plain SQL: it runs on every logged-in
    topic page, and building it through the ORM cost more than running it.
    """
    ids = [e.pk for e in events]
    known = getattr(user, "_nmp_invited", None)
    if known is not None and known[0] == tuple(ids):  # read with the reader's facts (``invited_fact``)
        return dict(known[1])
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(_invited_sql(marks), [*ids, user.pk, *ids, user.pk])
        return dict(cursor.fetchall())


FACT = "i"


def invited_fact(user):
    """The reader's invitations as a part of ``feedback.readerpage.reader_facts``'s one query (``register_fact``)."""
    events = coming_events()
    if not events:
        return None
    ids = [e.pk for e in events]
    user._nmp_invited_asked = tuple(ids)
    return _invited_sql(", ".join(["%s"] * len(ids)), FACT), [*ids, user.pk, *ids, user.pk]


def take_invited(user, rows):
    user._nmp_invited = (user._nmp_invited_asked, rows)


@functools.cache
def _invited_sql(marks, letter=None):
    from allauth.account.models import EmailAddress

    from .models import Invitation, State

    invitation = connection.ops.quote_name(Invitation._meta.db_table)
    address = connection.ops.quote_name(EmailAddress._meta.db_table)
    closed = f"'{State.CONCEPT}', '{State.EXPIRED}'"
    # Only table names, our own marks and the two fixed states go into the text; values are parameters.
    first = f"'{letter}', " if letter else ""  # as a part of the reader's facts: the part's letter first
    return f"""
        SELECT {first}i.event_id, i.state FROM {invitation} i
            WHERE i.event_id IN ({marks}) AND i.state NOT IN ({closed}) AND i.user_id = %s
        UNION ALL
        SELECT {first}i.event_id, i.state FROM {invitation} i
            WHERE i.event_id IN ({marks}) AND i.state NOT IN ({closed}) AND i.user_id IS NULL
              AND LOWER(i.email) IN (SELECT LOWER(e.email) FROM {address} e WHERE e.user_id = %s AND e.verified)
    """  # noqa: S608


def event_announcement(user):
    """The user's invitation to the soonest coming event they are invited to, else one they may register for.

    An unsaved ``Invitation`` with ``state`` "" stands for "you may register".
    """
    from .models import Invitation

    events = coming_events()
    if not events:
        return None
    invited = _invited(user, events)
    for event in events:
        if event.pk in invited:
            return Invitation(event=event, state=invited[event.pk])
    now = timezone.now()
    for event in events:
        if event.open_to_participants and event.rsvp_deadline >= now and user.has_perm("invitations.register", event):
            return Invitation(event=event, state="")
    return None


_slots = WorkerMemory(256)


def announcement_slot(request):
    """The announcement on a shared copy of a logged-in page (``topics.pagecache.register_slot``).

    Rendered once per worker for each event version, state and language (the values are the key).
    """
    invitation = announcement(request).get("event_invitation")  # only on the pages that announce it
    if not invitation:
        return ""
    event = invitation.event
    key = (get_language(), event.pk, event.slug, event.title, event.starts_at, invitation.state)
    return _slots.remember(
        key, lambda: render_to_string("invitations/_announcement.html", {"event_invitation": invitation})
    )
