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
