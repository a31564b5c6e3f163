"""Thin Celery tasks of moderation: decision mails and the moderators' digest (registered in ``apps.ready``)."""

from celery import shared_task

from . import moderation_mail


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_decision_mail(entry_id):
    """Mail the people a moderation decision concerns (each once, also when run twice)."""
    return moderation_mail.decision_mail_send(entry_id=entry_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_moderation_digest():
    """Periodic: new reports and proposals to the moderators, one mail an hour at most."""
    return moderation_mail.moderation_digest_send()
