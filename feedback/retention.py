"""How long moderators keep the text of a hidden comment: ``MODERATION_HIDDEN_RETENTION_DAYS``, then it is erased."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Comment
from .privacy import mails_quoting_scrub


def hidden_comments_erase(*, now=None) -> int:
    """Erase the text of comments hidden longer than ``MODERATION_HIDDEN_RETENTION_DAYS``; returns how many.

    The placeholder (date and reason) stays for the thread, and the comment can
    no longer be shown again. Safe to run twice.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MODERATION_HIDDEN_RETENTION_DAYS)
    with transaction.atomic():
        expired = Comment.objects.select_for_update().filter(
            is_hidden=True, hidden_at__lt=cutoff, text_erased_at__isnull=True
        )
        texts = list(expired.values_list("text", flat=True))
        # The mail that told the author why the comment was hidden quotes it; it goes too.
        mails_quoting_scrub(texts=texts)
        return expired.update(text="", text_erased_at=now)
