"""Reads for participant pages."""

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
