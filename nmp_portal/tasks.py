"""Site-wide Celery tasks: the mail queue. Thin: each calls a function in nmp_portal.mail.

The tasks import ``mail``; ``mail`` imports nothing from here.
"""

import threading

from celery import shared_task
from django.db import DatabaseError, transaction

from . import mail

# Mails delivered by one task over one connection to the mail server.
DELIVERY_BATCH = 100


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5, ignore_result=True)
def deliver_mail(email_ids):
    """Deliver the given queued mails (ids) over one connection per batch; safe to run twice."""
    for start in range(0, len(email_ids), DELIVERY_BATCH):
        mail.mail_deliver_many(email_ids=email_ids[start : start + DELIVERY_BATCH])


@shared_task(acks_late=True, ignore_result=True)
def deliver_due_mail():
    """Periodic: retry requeued mail and pick up anything a lost task left behind."""
    ids = mail.due_mail_ids()
    for start in range(0, len(ids), DELIVERY_BATCH):
        mail.mail_deliver_many(email_ids=ids[start : start + DELIVERY_BATCH])


@shared_task(ignore_result=True)
def cleanup_mail(days=180):
    mail.mail_cleanup(days=days)


_pending = threading.local()


def queue_delivery(sender, emails, **kwargs):
    """post_office ``email_queued`` receiver: deliver these mails after the transaction commits.

    The mails queued in one transaction go to the worker as one task (delivered
    over one connection), not one task each: a transaction that makes fifty
    invitation mails hands over fifty ids once. A rolled-back transaction
    (or savepoint) drops its callback, and with it the ids it collected.
    """
    ids = [email.pk for email in emails if email.pk]
    if not ids:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        transaction.on_commit(lambda: deliver_mail.delay(ids))  # at once, outside a transaction
        return
    batch = getattr(_pending, "batch", None)
    # The batch of an earlier transaction has been handed over, or was dropped with its rollback.
    if batch is None or not any(entry[1] is batch["callback"] for entry in connection.run_on_commit):
        batch = {"ids": []}

        def callback(ids=batch["ids"]):
            if getattr(_pending, "batch", None) is batch:
                _pending.batch = None
            deliver_mail.delay(list(ids))

        batch["callback"] = callback
        _pending.batch = batch
        transaction.on_commit(callback)
    batch["ids"].extend(ids)
