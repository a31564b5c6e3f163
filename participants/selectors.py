"""Reads for participant pages."""

import time

from django.db.models import Count, Q

from .models import User


def participant_contribution_counts(*, user) -> dict:
    """How many votes, priorities, comments and proposals the participant has, in one query."""
    counts = User.objects.filter(pk=user.pk).aggregate(
        votes=Count("votes", distinct=True),
        priorities=Count("priorities", distinct=True),
        comments=Count("comments", filter=Q(comments__is_deleted=False), distinct=True),
        proposals=Count("proposals", distinct=True),
    )
    return counts


def mails_to(*, addresses) -> list:
    """Queued and sent mails (post_office) with one of ``addresses`` as a recipient, oldest first, in one query.

    Matches whole addresses only: the mails of ``ba@example.org`` are not those of ``a@example.org``.
    """
    from email.utils import parseaddr

    from post_office.models import Email

    wanted = {address.strip().lower() for address in addresses if address and address.strip()}
    if not wanted:
        return []
    query = Q()
    for address in wanted:
        query |= Q(to__icontains=address) | Q(cc__icontains=address) | Q(bcc__icontains=address)
    return [
        mail
        for mail in Email.objects.filter(query).order_by("id")
        if any(parseaddr(r)[1].lower() in wanted for r in [*(mail.to or []), *(mail.cc or []), *(mail.bcc or [])])
    ]


def verified_addresses(user) -> set:
    """The addresses ``user`` proved are theirs (allauth's verified EmailAddress rows), lower case."""
    from allauth.account.models import EmailAddress

    return {e.lower() for e in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)}


# The sign-up mode per worker, for a few seconds: every page a visitor without an account gets in full
# shows it in the header. A change is seen at once in the worker that saved it (``forget_signup_mode``,
# on save) and within these seconds in the others; sign-up itself reads the row (``adapters``).
SIGNUP_MODE_SECONDS = 10
_signup_mode = {"at": None, "mode": None}


def signup_mode():
    """The portal's sign-up mode ("open" or "invitation_only"): one small query, at most every few seconds."""
    from .models import PortalSettings

    now = time.monotonic()
    at, mode = _signup_mode["at"], _signup_mode["mode"]
    if at is not None and now - at < SIGNUP_MODE_SECONDS:
        return mode
    # No row is created just to read it: without one, sign-up is open (the model's default).
    mode = PortalSettings.objects.filter(pk=1).values_list("signup_mode", flat=True).first()
    mode = mode or PortalSettings.SignupMode.OPEN
    _signup_mode.update(at=now, mode=mode)
    return mode


def forget_signup_mode(**kwargs):
    _signup_mode.update(at=None, mode=None)
