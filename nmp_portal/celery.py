"""The Celery app: broker and result settings come from REDIS_URL via Django settings.

Queuing a task never fails the request that queues it: every piece of
background work has its state in the database (the mail queue, reply mails
waiting for their hour), so a task that cannot reach the broker is logged and
left to the periodic sweeps (beat) and to the sweep every worker runs when it
starts.
"""

import logging
import time

from celery import Celery, Task
from celery.signals import worker_init, worker_ready
from kombu.exceptions import OperationalError as BrokerError

from .environment import use_settings

# Only production runs a worker (locally tasks run eagerly); manage.py and wsgi.py set their own default.
use_settings(default="nmp_portal.settings.production")

logger = logging.getLogger(__name__)


# After a failed publish, tasks are not offered to the broker for this many seconds: a broker
# that does not answer costs one connect timeout per process per interval, not one per task.
RETRY_BROKER_AFTER = 5.0
_broker_down_until = 0.0


class DispatchSafeTask(Task):
    """A task whose ``apply_async`` returns None instead of raising when the broker is unreachable."""

    def apply_async(self, *args, **kwargs):
        global _broker_down_until
        if not self.app.conf.task_always_eager and time.monotonic() < _broker_down_until:
            logger.warning("Task %s not queued, the broker was unreachable moments ago", self.name)
            return None
        try:
            return super().apply_async(*args, **kwargs)
        except BrokerError as error:
            _broker_down_until = time.monotonic() + RETRY_BROKER_AFTER
            logger.error("Task %s not queued, broker unreachable (%s); the periodic sweep retries", self.name, error)
            return None


app = Celery("nmp_portal", task_cls=DispatchSafeTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The results package keeps its own tasks module inside the feedback app.
app.autodiscover_tasks(["feedback.results"])


@worker_init.connect
def load_before_fork(sender=None, **kwargs):
    """Load once in the worker's main process what tasks need, so the pool's processes inherit it.

    The prefork pool forks after this: the URL patterns, the mail templates and both
    translation catalogues are then shared (copy-on-write), instead of each process paying for them
    (a few hundred milliseconds of CPU) in its first tasks. Nothing here touches the database.
    """
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import reverse
    from django.utils import translation

    reverse("robots_txt")
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("Hello,")
    for name in ("invitation", "reminder", "confirmation", "waiting_list", "practical"):
        for extension in ("txt", "html"):
            get_template(f"invitations/email/{name}.{extension}")


@worker_ready.connect
def sweep_on_start(sender=None, **kwargs):
    """Pick up the work a broker outage or a lost worker left in the database."""
    for name in (
        "nmp_portal.tasks.deliver_due_mail",
        "feedback.tasks.send_due_reply_mails",
        "invitations.tasks.pickup_queued_invitations",
    ):
        app.send_task(name)
