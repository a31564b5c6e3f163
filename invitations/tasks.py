"""Thin Celery tasks: primary keys in, a service call; safe to run twice, retried with backoff."""

from celery import shared_task
from django.db import DatabaseError

from . import sending


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5, ignore_result=True)
def send_invitation_mails(invitation_ids):
    """Make and queue the personal mail of each queued invitation (delivery follows after commit, as one batch)."""
    sending.invitation_mails_queue(invitation_ids=invitation_ids)


@shared_task(acks_late=True, ignore_result=True)
def pickup_queued_invitations():
    """Periodic: queue again what a down broker or a killed worker left, and record deliveries."""
    ids = sending.invitations_to_pick_up()
    for start in range(0, len(ids), sending.SEND_CHUNK):
        send_invitation_mails.delay(ids[start : start + sending.SEND_CHUNK])
    sending.invitations_delivery_sync()


@shared_task(acks_late=True, ignore_result=True)
def send_reminders():
    sending.reminders_send()


@shared_task(acks_late=True, ignore_result=True)
def send_practical_information():
    sending.practical_information_send()


@shared_task(acks_late=True, ignore_result=True)
def expire_invitations():
    sending.invitations_expire()
