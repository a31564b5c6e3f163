"""Reads for invitation pages and the admin."""

import functools

from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Lower

from topics.compiled import CompiledQuery

from .models import Event, Invitation


def account_exists(*, email: str) -> bool:
    """Whether an account (not deleted) has ``email``, in any case.

    Compared as ``lower(email)``, the expression of the unique index on
    accounts' addresses: ``email__iexact`` compiles to ``UPPER(...)`` on
    PostgreSQL, which no index serves (a scan of every account on each opening
    of a personal link).
    """
    return _accounts_with(Lower(Value(email))).exists()


def _accounts_with(email_lower):
    from participants.models import User

    return User.objects.alias(email_lower=Lower("email")).filter(email_lower=email_lower, deleted_at__isnull=True)


def with_account_exists(queryset):
    """Annotate each invitation with ``has_account``: ``account_exists`` for its address, in the same query."""
    return queryset.annotate(has_account=Exists(_accounts_with(Lower(OuterRef("email")))))


def verified_account(*, email: str):
    """The account that has proven ``email`` (a verified address), or None.

    An account that only typed the address in, without confirming it, must
    not see or answer someone else's invitation.
    """
    from allauth.account.models import EmailAddress

    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True, user__deleted_at__isnull=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None


# The event page's event, compiled once (every visit of an invitee reads it; a slug never holds this stand-in).
_event_by_slug = CompiledQuery(lambda slug: Event.objects.filter(slug=slug).order_by()[:1], "\x00slug\x00")


def event_by_slug(slug):
    """The event with ``slug``, or None."""
    found = _event_by_slug(slug)
    return found[0] if found else None


def invitation_for_user(*, event, user):
    """The visitor's invitation to ``event``: linked to the account, or sent to an address it has verified.

    One query (an invitation linked to the account comes first), in plain SQL built once: it runs on
    every visit of the event page by an invitee. Addresses compare as ``lower(email)``, as the
    announcement does (``context_processors._invited``) and as the roster's unique index does.
    """
    if user is None or not user.is_authenticated:
        return None
    found = list(Invitation.objects.raw(_for_user_sql(), [event.pk, user.pk, event.pk, user.pk]))
    invitation = found[0] if found else None
    if invitation is not None:
        invitation.event = event  # the one the caller has, not read again
    return invitation


@functools.cache
def _for_user_sql():
    from allauth.account.models import EmailAddress
    from django.db import connection

    invitation = connection.ops.quote_name(Invitation._meta.db_table)
    address = connection.ops.quote_name(EmailAddress._meta.db_table)
    # Only table names go into the text; values are parameters.
    return f"""
        SELECT * FROM (
            SELECT i.*, 0 AS nmp_rank FROM {invitation} i WHERE i.event_id = %s AND i.user_id = %s
            UNION ALL
            SELECT i.*, 1 AS nmp_rank FROM {invitation} i
                WHERE i.event_id = %s AND i.user_id IS NULL
                  AND LOWER(i.email) IN (SELECT LOWER(e.email) FROM {address} e WHERE e.user_id = %s AND e.verified)
        ) found ORDER BY nmp_rank, id LIMIT 1
    """  # noqa: S608


def with_participation(queryset):
    """Annotate each invitation with whether its account voted and commented on the portal."""
    from feedback.models import Comment, Vote

    return queryset.annotate(
        has_voted=Exists(Vote.objects.filter(participant=OuterRef("user"))),
        has_commented=Exists(Comment.objects.filter(author=OuterRef("user"), is_deleted=False)),
    )
