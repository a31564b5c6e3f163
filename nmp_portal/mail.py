"""Delivery of the database mail queue (django-post-office), by id, several mails per connection.

Every mail is stored by post_office's EmailBackend; ``tasks.queue_delivery``
(wired to post_office's ``email_queued`` signal) asks Celery to deliver it only after
the transaction commits, so a mail queued in a transaction that rolls back is
never sent. We deliver by primary key instead of using post_office's own
"send everything queued" task: that one closes the database connection after
each batch (harmful when tasks run eagerly inside a request) and serialises
all workers on a file lock.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from post_office.connections import connections
from post_office.models import STATUS, Email, Log
from post_office.settings import get_default_mailer, get_log_level, get_max_retries, get_retry_timedelta
from post_office.utils import cleanup_expired_mails

logger = logging.getLogger(__name__)

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


def _claim(email_ids, now):
    """Take the due ones of these mails for delivery (oldest first); each keeps its earlier
    scheduled time in ``claimed_from``.

    Each claimed mail stops being due for ``claim_lease()``; a mail another worker holds
    (row locked, or claimed earlier) is left to that worker. On PostgreSQL one
    ``UPDATE … RETURNING`` (its own short transaction) claims and reads the batch.
    """
    until = now + claim_lease()
    if connection.vendor != "postgresql":
        with transaction.atomic():
            queryset = _due(Email.objects.filter(pk__in=email_ids), now).order_by("pk")
            if connection.features.has_select_for_update_skip_locked:
                queryset = queryset.select_for_update(skip_locked=True)
            emails = list(queryset.prefetch_related("attachments"))
            Email.objects.filter(pk__in=[email.pk for email in emails]).update(scheduled_time=until)
        for email in emails:
            email.claimed_from = email.scheduled_time
        return emails
    table = Email._meta.db_table
    emails = list(
        Email.objects.raw(
            f'WITH due AS (SELECT id, scheduled_time FROM "{table}" '  # noqa: S608 - our table name
            "WHERE id = ANY(%s) AND status IN (%s, %s) AND (scheduled_time IS NULL OR scheduled_time <= %s) "
            "ORDER BY id FOR UPDATE SKIP LOCKED) "
            f'UPDATE "{table}" AS e SET scheduled_time = %s FROM due WHERE e.id = due.id '
            "RETURNING e.*, due.scheduled_time AS claimed_from",
            [list(email_ids), *DELIVERABLE, now, until],
        )
    )
    emails.sort(key=lambda email: email.pk)
    prefetch_related_objects(emails, "attachments")
    return emails


def _close_connections():
    try:
        connections.close()
    except Exception:  # a connection that broke mid-send may fail to say goodbye
        logger.info("Closing the mail server connection failed", exc_info=True)


def _send(email):
    """Hand one mail to its backend's (open) connection; the outcome as (status, message, exception type)."""
    try:
        message = email.email_message()
        # A mail without recipients can never be delivered: marked sent, as post_office does.
        if message.recipients():
            connections[email.backend_alias or get_default_mailer()].send_messages([message])
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the mail and retried
        logger.warning("Delivery of mail %s failed: %s", email.pk, error)
        # The connection may be broken: the next mail gets a fresh one.
        _close_connections()
        return STATUS.failed, str(error), type(error).__name__
    return STATUS.sent, "", ""


def _record(email, status, claimed_from):
    """Record one mail's outcome at once (one statement, autocommit); returns its new status."""
    now = timezone.now()
    retries = email.number_of_retries or 0
    scheduled_time = claimed_from
    if status == STATUS.failed and retries < get_max_retries():
        status, retries, scheduled_time = STATUS.requeued, retries + 1, now + get_retry_timedelta()
    changes = {"status": status, "scheduled_time": scheduled_time, "last_updated": now}
    if status == STATUS.requeued:
        changes["number_of_retries"] = retries
    if connection.vendor != "postgresql":
        Email.objects.filter(pk=email.pk).update(**changes)
        return status
    # One round trip, in autocommit. The outcome is visible to every worker at once; only its flush
    # to disk is not awaited (set_config(..., true) holds for this statement's own transaction; a
    # few milliseconds per mail otherwise). Should PostgreSQL itself crash in that instant, the mail
    # is still claimed and goes out again after the lease: the case a killed worker has.
    columns = ", ".join(f'"{name}" = %s' for name in changes)
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{Email._meta.db_table}" SET {columns} '  # noqa: S608 - our column names
            "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed WHERE id = %s",
            [*changes.values(), email.pk],
        )
    return status


def mail_deliver_many(*, email_ids) -> dict[int, str]:
    """Deliver these queued mails over one connection to the mail server; returns {id: new status}.

    The guarantees of ``mail_deliver`` for each mail: the due ones are claimed
    in one short transaction, no transaction is open while the mail server is
    contacted, and each mail's outcome is written the moment the server
    answered for it (one statement per mail), so a worker that dies halfway
    leaves only the mail in flight to be sent again after the lease. A failed
    mail is requeued with a delay (or failed for good after the retries) and
    the connection reopened for the next one. Mails that are not due (sent,
    claimed by another worker) are skipped and missing from the answer.
    The log entries (one per attempt, as post_office writes them) follow in one
    insert after the batch.
    """
    now = timezone.now()
    emails = _claim(list(email_ids), now)
    outcomes = {}
    logs = []
    log_level = get_log_level()
    try:
        for email in emails:
            status, message, exception_type = _send(email)
            outcomes[email.pk] = _record(email, status, email.claimed_from)
            if log_level == 2 or (log_level == 1 and status == STATUS.failed):
                logs.append(Log(email=email, status=status, message=message, exception_type=exception_type))
    finally:
        _close_connections()
        if logs:
            Log.objects.bulk_create(logs)
    return outcomes


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
    return mail_deliver_many(email_ids=[email_id]).get(email_id)


def due_mail_ids(*, limit: int = 500) -> list[int]:
    """Ids of mails that are due for (another) delivery attempt, oldest first."""
    return list(_due(Email.objects.all(), timezone.now()).order_by("created").values_list("pk", flat=True)[:limit])


def mail_cleanup(*, days: int = 180):
    """Remove mail (and attachments) older than ``days`` days."""
    return cleanup_expired_mails(timezone.now() - timedelta(days=days), delete_attachments=True)
