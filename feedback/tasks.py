"""Thin Celery tasks: primary keys in, a service call, retried with backoff."""

from celery import shared_task

from . import digest, notifications, retention


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_reply_mail(thread_id):
    """Mail the author of a comment about new replies (bundled: at most one an hour)."""
    return notifications.reply_mail_send(thread_id=thread_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_due_reply_mails():
    """Periodic safety net: send bundles whose hour has passed (covers a lost countdown task)."""
    for thread_id in notifications.reply_mails_due():
        send_reply_mail.delay(thread_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_follow_digest(participant_id):
    """Mail a participant what is new in the topics they follow (at most one mail a day)."""
    return digest.follow_digest_send(participant_id=participant_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_due_follow_digests():
    """Periodic: queue the daily mail for every follower with news."""
    for participant_id in digest.follow_digests_due():
        send_follow_digest.delay(participant_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def erase_expired_hidden_comments():
    """Periodic: erase the text of comments hidden longer than the retention period."""
    return retention.hidden_comments_erase()
