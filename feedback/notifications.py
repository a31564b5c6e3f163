"""Reply mail: one bundled mail an hour to a comment's author about new replies, and its unsubscribe link.

``services.comment_create`` queues ``tasks.send_reply_mail`` after commit; the
task calls ``reply_mail_send`` here. This module imports neither of them.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from post_office.models import Email

from participants import mailqueue
from participants.usercache import user_changed

from . import unsubscribe_tokens
from .models import Comment, ReplyMail

REPLY_MAIL_INTERVAL = timedelta(hours=1)
UNSUBSCRIBE_SALT = "feedback.unsubscribe.replies"


def unsubscribe_token(user):
    return unsubscribe_tokens.user_token(user, salt=UNSUBSCRIBE_SALT)


def unsubscribe_user(token):
    """The user a reply-mail unsubscribe token belongs to, or None when it is not valid."""
    return unsubscribe_tokens.token_user(token, salt=UNSUBSCRIBE_SALT)


def reply_mails_unsubscribe(*, user) -> None:
    """Turn off reply mails for ``user`` (one-click unsubscribe). Safe to repeat."""
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(notify_replies=False)
        user_changed(user.pk)  # an update() sends no signal: the kept copy of the user must go
    user.notify_replies = False


def reply_mail_send(*, thread_id) -> bool:
    """Mail the author of comment ``thread_id`` about replies they were not told about yet.

    Guarantees: at most one mail per thread per hour (replies that arrive in the
    meantime wait and go together in the next mail); never to someone who turned
    reply mails off, was deleted or blocked; never about their own replies or
    deleted/hidden ones; safe to run twice (the thread row is locked and records
    the last reply covered). The mail is queued and leaves after commit.
    """
    with transaction.atomic():
        thread = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("author", "topic", "recommendation")
            .filter(pk=thread_id, parent__isnull=True)
            .first()
        )
        if thread is None or thread.is_deleted:
            return False
        recipient = thread.author
        if not recipient.notify_replies or recipient.deleted_at or not recipient.is_active or not recipient.email:
            return False
        now = timezone.now()
        if thread.reply_mail_sent_at and now < thread.reply_mail_sent_at + REPLY_MAIL_INTERVAL:
            return False
        replies = list(
            thread.replies.filter(is_deleted=False, is_hidden=False, pk__gt=thread.reply_mail_last_reply_id or 0)
            .exclude(author=recipient)
            .select_related("author")
            .order_by("pk")
        )
        if not replies:
            return False
        _send_reply_mail(thread, replies)
        thread.reply_mail_sent_at = now
        thread.reply_mail_last_reply_id = replies[-1].pk
        thread.save(update_fields=["reply_mail_sent_at", "reply_mail_last_reply_id"])
    return True


def _render_reply_mail(thread, replies, unsubscribe_url=None):
    """(subject, text, html, unsubscribe URL) of the reply mail to ``thread``'s author about ``replies``.

    ``unsubscribe_url``: the link the mail already carries (rendering a kept mail again keeps it).
    """
    recipient = thread.author
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        unsubscribe_url = unsubscribe_url or settings.SITE_URL + reverse(
            "feedback:unsubscribe", kwargs={"token": unsubscribe_token(recipient)}
        )
        context = {
            "recipient": recipient,
            "thread": thread,
            "replies": replies,
            "topic": thread.topic,
            "comment_url": settings.SITE_URL + replies[-1].get_absolute_url(),
            "unsubscribe_url": unsubscribe_url,
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
            "LANGUAGE_CODE": translation.get_language(),
        }
        subject = settings.EMAIL_SUBJECT_PREFIX + _("New reply to your comment on “%(topic)s”") % {
            "topic": thread.topic.title
        }
        body = render_to_string("feedback/email/reply_notification.txt", context)
        html = render_to_string("feedback/email/reply_notification.html", context)
    return subject, body, html, unsubscribe_url


def _send_reply_mail(thread, replies):
    subject, body, html, unsubscribe_url = _render_reply_mail(thread, replies)
    email = mailqueue.queue(
        recipients=[thread.author.email],
        subject=subject,
        message=body,
        html_message=html,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    link = ReplyMail.objects.create(email=email, thread=thread)
    link.replies.set(replies)


def reply_mails_rerender_without(*, user) -> None:
    """Render again every reply mail to others that quotes ``user``, leaving them out (account deletion).

    Found by reference (``ReplyMail``), never by searching text. A reply by
    ``user`` is shown as by "Deleted participant", and its words as "[removed]"
    when they were removed. Other mails are not touched.
    """
    links = ReplyMail.objects.filter(replies__author=user).exclude(thread__author=user)
    _rerender(links, deleted_user=user)


def reply_mails_rerender(*, comment_ids) -> int:
    """Render again every kept reply mail that quotes one of ``comment_ids``, from the rows as they are now.

    Called once those comments were deleted or their text erased: their words
    become "[removed]" (in the recipient's language); the other replies in the
    same mail stay. Found by reference (``ReplyMail``), never by searching
    text, so no other mail changes. Returns how many mails were rendered again.
    """
    return _rerender(ReplyMail.objects.filter(replies__in=list(comment_ids)))


def _rerender(links, *, deleted_user=None) -> int:
    links = (
        links.select_related("thread__author", "thread__topic", "thread__recommendation", "email")
        .prefetch_related("replies__author")
        .distinct()
        .order_by("pk")
    )
    count = 0
    for link in links:
        replies = sorted(link.replies.all(), key=lambda r: r.pk)
        with translation.override(link.thread.author.language or settings.LANGUAGE_CODE):
            for reply in replies:
                if deleted_user is not None and reply.author_id == deleted_user.pk:
                    reply.author.deleted_at = reply.author.deleted_at or timezone.now()
                # Deleted, or erased at the end of the retention period: the words are gone from the row.
                if reply.is_deleted or not reply.text:
                    reply.text = _("[removed]")
        # The same unsubscribe link as the mail's List-Unsubscribe header (a new token would differ from it).
        kept_link = ((link.email.headers or {}).get("List-Unsubscribe") or "").strip("<> ")
        subject, body, html, _unsubscribe = _render_reply_mail(link.thread, replies, kept_link or None)
        count += Email.objects.filter(pk=link.email_id).update(subject=subject, message=body, html_message=html)
    return count


def reply_mails_due():
    """Ids of threads with replies waiting for a mail whose hour has passed (for the periodic task)."""
    now = timezone.now()
    waiting = (
        Comment.objects.filter(
            parent=OuterRef("pk"),
            is_deleted=False,
            is_hidden=False,
            pk__gt=Coalesce(OuterRef("reply_mail_last_reply_id"), 0),
        )
        .exclude(author=OuterRef("author"))
        .values("pk")
    )
    return list(
        Comment.objects.filter(parent__isnull=True, is_deleted=False, author__notify_replies=True)
        .filter(Q(reply_mail_sent_at__isnull=True) | Q(reply_mail_sent_at__lte=now - REPLY_MAIL_INTERVAL))
        .filter(Exists(waiting))
        .values_list("pk", flat=True)[:500]
    )
