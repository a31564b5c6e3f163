"""Site-wide Celery tasks: the mail queue. Thin: each calls a function in nmp_portal.mail.

The tasks import ``mail``; ``mail`` imports nothing from here.
"""

from celery import shared_task
from django.db import DatabaseError, transaction

from . import mail


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5, ignore_result=True)
def deliver_mail(email_ids):
    """Deliver the given queued mails (ids); safe to run twice."""
    for email_id in email_ids:
        mail.mail_deliver(email_id=email_id)


@shared_task(acks_late=True, ignore_result=True)
def deliver_due_mail():
    """Periodic: retry requeued mail and pick up anything a lost task left behind."""
    for email_id in mail.due_mail_ids():
        mail.mail_deliver(email_id=email_id)


@shared_task(ignore_result=True)
def cleanup_mail(days=180):
    mail.mail_cleanup(days=days)


def queue_delivery(sender, emails, **kwargs):
    """post_office ``email_queued`` receiver: deliver these mails after the transaction commits."""
    ids = [email.pk for email in emails if email.pk]
    if ids:
        transaction.on_commit(lambda: deliver_mail.delay(ids))
