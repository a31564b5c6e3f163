"""System checks for settings an operator can get wrong (run by ``manage.py check`` and at start-up)."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def mail_claim_outlasts_tasks(app_configs, **kwargs):
    """A mail claim shorter than a task's hard time limit lets a second worker send a live worker's mail."""
    lease, limit = settings.MAIL_CLAIM_LEASE, settings.CELERY_TASK_TIME_LIMIT
    if lease > limit:
        return []
    return [
        Error(
            f"MAIL_CLAIM_LEASE ({lease} s) must be longer than CELERY_TASK_TIME_LIMIT ({limit} s).",
            hint="Otherwise a mail still being sent by one worker is sent again by another.",
            id="nmp_portal.E001",
        )
    ]
