"""The Celery app: broker and result settings come from REDIS_URL via Django settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nmp_portal.settings.local")

app = Celery("nmp_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The results package keeps its own tasks module inside the feedback app.
app.autodiscover_tasks(["feedback.results"])
