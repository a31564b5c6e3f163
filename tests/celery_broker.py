"""Point the Celery app at another broker for one test, and back."""

from contextlib import contextmanager

from nmp_portal import celery as celery_module
from nmp_portal.celery import app


def _forget_connections():
    # The app keeps a connection pool and a producer pool per broker; both must follow the URL.
    app._pool = None
    app.amqp._producer_pool = None
    # ... and remembers for a few seconds that a broker was down.
    celery_module._broker_down_until = 0.0


@contextmanager
def celery_broker(url):
    """Tasks go to ``url`` (not run in-process) inside the block; the previous broker afterwards."""
    # Reading the configuration loads it from Django's settings before a test changes them.
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=url)
    _forget_connections()
    try:
        yield app
    finally:
        app.conf.update(saved)
        _forget_connections()
