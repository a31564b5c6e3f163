"""How long moderators keep the text of a hidden comment: ``MODERATION_HIDDEN_RETENTION_DAYS``, then it is erased."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Comment


def hidden_comments_erase(*, now=None) -> int:
    """Erase the text of comments hidden longer than ``MODERATION_HIDDEN_RETENTION_DAYS``; returns how many.

    The placeholder (date and reason) stays for the thread, and the comment can
    no longer be shown again. Safe to run twice.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MODERATION_HIDDEN_RETENTION_DAYS)
    with transaction.atomic():
        return Comment.objects.filter(is_hidden=True, hidden_at__lt=cutoff, text_erased_at__isnull=True).update(
            text="", text_erased_at=now
        )
