"""How long moderators keep the text of a hidden comment: ``MODERATION_HIDDEN_RETENTION_DAYS``, then it is erased."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from topics import pagecache

from .models import Comment
from .privacy import mails_quoting_rerender


def hidden_comments_erase(*, now=None) -> int:
    """Erase the text of comments hidden longer than ``MODERATION_HIDDEN_RETENTION_DAYS``; returns how many.

    The placeholder (date and reason) stays for the thread, and the comment can
    no longer be shown again. The kept mails that quote the comment lose its
    words ("[removed]"); no other mail changes. Safe to run twice.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MODERATION_HIDDEN_RETENTION_DAYS)
    with transaction.atomic():
        expired = list(
            Comment.objects.select_for_update()
            .filter(is_hidden=True, hidden_at__lt=cutoff, text_erased_at__isnull=True)
            .values_list("pk", flat=True)
        )
        erased = Comment.objects.filter(pk__in=expired).update(text="", text_erased_at=now)
        # The reply mails that quote the comments, and the mail that told each author why theirs was
        # hidden, are rendered again from the emptied rows (found by reference, not by their text).
        mails_quoting_rerender(comment_ids=expired)
        if erased:
            # The moderators' cached comment lists quote hidden comments: the words leave them at once.
            pagecache.bump(pagecache.CONTENT)
        return erased
