"""Reads for invitation pages and the admin."""

from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Lower

from .models import Invitation


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


def invitation_for_user(*, event, user):
    """The visitor's invitation to ``event``: linked to the account, or sent to an address it has verified."""
    if user is None or not user.is_authenticated:
        return None
    from allauth.account.models import EmailAddress

    # Ordered by id, not by the model's ordering (event, then name: a join to compile and sort by for
    # at most a row or two); the event is the one the caller has, not read again.
    invitations = Invitation.objects.filter(event=event).order_by("pk")
    verified = EmailAddress.objects.filter(user=user, verified=True).values("email")
    invitation = invitations.filter(user=user).first()
    if invitation is None:
        invitation = invitations.filter(user__isnull=True, email__in=verified).first()
    if invitation is not None:
        invitation.event = event
    return invitation


def with_participation(queryset):
    """Annotate each invitation with whether its account voted and commented on the portal."""
    from feedback.models import Comment, Vote

    return queryset.annotate(
        has_voted=Exists(Vote.objects.filter(participant=OuterRef("user"))),
        has_commented=Exists(Comment.objects.filter(author=OuterRef("user"), is_deleted=False)),
    )
