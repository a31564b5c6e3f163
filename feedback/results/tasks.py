"""Background work of the briefing (found by Celery's autodiscovery, see ``nmp_portal/celery.py``)."""

import logging

from celery import shared_task
from django.utils import translation

from . import briefing, publication

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def build_briefing_workbook(*, job_id, include_hidden=False, language="nl"):
    """Write the briefing workbook for ``job_id`` and report progress in the cache. Safe to run twice."""
    briefing.job_set(job_id, state=briefing.JobState.RUNNING, progress=0)
    try:
        with translation.override(language):
            name = briefing.write_workbook(
                name=briefing.workbook_name(job_id),
                include_hidden=include_hidden,
                progress=lambda percent: briefing.job_set(job_id, progress=percent),
            )
    except Exception:
        logger.exception("Briefing workbook %s failed", job_id)
        briefing.job_set(job_id, state=briefing.JobState.FAILED)
        raise
    # The download view reads this name from the briefings storage (the worker's and the web's).
    briefing.job_set(job_id, state=briefing.JobState.DONE, progress=100, name=name)


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def remove_old_workbooks():
    """Beat task: delete briefing workbooks past their retention (``briefing.workbooks_remove_old``)."""
    removed = briefing.workbooks_remove_old()
    if removed:
        logger.info("Removed %s old briefing workbook(s)", removed)
    return removed


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def publish_pending_results():
    """Beat task, every few seconds: publish the votes and priorities noted since the last run."""
    return publication.publish_pending()


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def publish_all_results():
    """Beat task, every minute: the comparison of every cell (catches what was not noted, e.g. Redis was down)."""
    publication.publish_all()
