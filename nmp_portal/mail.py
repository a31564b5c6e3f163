"""Delivery of the database mail queue (django-post-office), one mail at a time.

Every mail is stored by post_office's EmailBackend; ``tasks.queue_delivery``
(wired to post_office's ``email_queued`` signal) asks Celery to deliver it only after
the transaction commits, so a mail queued in a transaction that rolls back is
never sent. We deliver by primary key instead of using post_office's own
"send everything queued" task: that one closes the database connection after
each batch (harmful when tasks run eagerly inside a request) and serialises
all workers on a file lock.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from post_office.models import STATUS, Email
from post_office.settings import get_max_retries, get_retry_timedelta
from post_office.utils import cleanup_expired_mails

DELIVERABLE = (STATUS.queued, STATUS.requeued)


def _due(queryset, now):
    return queryset.filter(status__in=DELIVERABLE).filter(Q(scheduled_time__isnull=True) | Q(scheduled_time__lte=now))


def claim_lease() -> timedelta:
    """While one worker talks to the mail server, the mail is not due for anyone else.

    settings.MAIL_CLAIM_LEASE is longer than the hard time limit of a task, so a live worker
    always finishes first; a worker that died mid-send leaves the mail to the sweep after this
    lease (the only case that can send twice).
    """
    return timedelta(seconds=settings.MAIL_CLAIM_LEASE)


def _claim(email_id, now):
    """Take one due mail for delivery in a short transaction; None when there is nothing to do."""
    with transaction.atomic():
        queryset = _due(Email.objects.filter(pk=email_id), now)
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True)
        email = queryset.first()
        if email is None:
            return None
        Email.objects.filter(pk=email.pk).update(scheduled_time=now + claim_lease())
    return email


def mail_deliver(*, email_id: int):
    """Deliver one queued mail; returns its new status, or None when there was nothing to do.

    Safe to run twice and from several workers at once: a mail that is sent,
    failed for good, not yet due, or being delivered by another worker is
    skipped. No database transaction is open while the mail server is
    contacted: the mail is claimed in a short transaction (it stops being due
    for ``claim_lease()``), sent, and its status is recorded the moment the server
    accepted it. A failed attempt is requeued with a delay until
    POST_OFFICE["MAX_RETRIES"] is reached, then marked failed; the admin shows
    every attempt in the mail's log.
    """
    now = timezone.now()
    email = _claim(email_id, now)
    if email is None:
        return None
    # The instance keeps the scheduled time from before the claim; dispatch saves only the status.
    status = email.dispatch(commit=True)
    if status == STATUS.sent:
        Email.objects.filter(pk=email.pk).update(scheduled_time=email.scheduled_time)
    elif (email.number_of_retries or 0) < get_max_retries():
        email.number_of_retries = (email.number_of_retries or 0) + 1
        email.status = STATUS.requeued
        email.scheduled_time = timezone.now() + get_retry_timedelta()
        email.save(update_fields=["number_of_retries", "status", "scheduled_time", "last_updated"])
        status = STATUS.requeued
    else:
        Email.objects.filter(pk=email.pk).update(scheduled_time=email.scheduled_time)
    return status


def due_mail_ids(*, limit: int = 500) -> list[int]:
    """Ids of mails that are due for (another) delivery attempt, oldest first."""
    return list(_due(Email.objects.all(), timezone.now()).order_by("created").values_list("pk", flat=True)[:limit])


def mail_cleanup(*, days: int = 180):
    """Remove mail (and attachments) older than ``days`` days."""
    return cleanup_expired_mails(timezone.now() - timedelta(days=days), delete_attachments=True)
