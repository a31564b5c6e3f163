"""Thin Celery tasks: primary keys in, a service call; safe to run twice, retried with backoff."""

from celery import shared_task
from django.db import DatabaseError

from . import services


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5, ignore_result=True)
def send_invitation_mails(invitation_ids):
    """Make and queue the personal mail of each queued invitation (delivery follows after commit)."""
    for invitation_id in invitation_ids:
        services.invitation_mail_queue(invitation_id=invitation_id)


@shared_task(acks_late=True, ignore_result=True)
def pickup_queued_invitations():
    """Periodic: queue again what a down broker or a killed worker left, and record deliveries."""
    services.invitations_pickup()


@shared_task(acks_late=True, ignore_result=True)
def send_reminders():
    services.reminders_send()


@shared_task(acks_late=True, ignore_result=True)
def send_practical_information():
    services.practical_information_send()


@shared_task(acks_late=True, ignore_result=True)
def expire_invitations():
    services.invitations_expire()
