import pytest
from django.core.management import call_command


@pytest.fixture
def nmp_content(db):
    """The real workshop content, loaded from the project's data file."""
    call_command("load_nmp_content", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    from topics.models import Topic

    return Topic.objects.order_by("number")


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    from invitations.context_processors import forget_coming_events
    from participants.selectors import forget_signup_mode
    from topics import pagecache

    cache.clear()
    pagecache.forget_local_copies()
    forget_signup_mode()
    forget_coming_events()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: a request to /en/ leaves English active in the thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _mail_through_the_queue(settings):
    """pytest-django swaps in the locmem backend; put the real queue back.

    Mail is then queued by post_office and delivered (after commit) to the
    locmem backend configured in POST_OFFICE["BACKENDS"], so ``mail.outbox``
    holds what was actually delivered.
    """
    settings.EMAIL_BACKEND = "participants.mailqueue.EmailBackend"


@pytest.fixture(autouse=True)
def _site_language_between_tests():
    """A request to an English page leaves English active in the thread; each test starts in Dutch again."""
    from django.utils import translation

    with translation.override("nl"):
        yield


class PendingSet:
    """The two Redis set commands the publication queue uses, in memory (the unit suite has no Redis)."""

    def __init__(self):
        self.members = set()

    def sadd(self, key, *members):
        self.members.update(m.encode() if isinstance(m, str) else m for m in members)

    def spop(self, key, count):
        taken = [self.members.pop() for _ in range(min(count, len(self.members)))]
        return taken


@pytest.fixture
def publication_by_worker(settings, monkeypatch):
    """Production's way: tasks go to a broker (not run in-process), so votes are published by the worker.

    The pending changes go to an in-memory stand-in for the Redis set; the
    test runs the beat task itself. Yields the stand-in.
    """
    from feedback.results import publication
    from tests.celery_broker import celery_broker

    pending = PendingSet()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # never contacted: the stand-in answers
    monkeypatch.setattr(publication, "_pending_client", lambda: pending)
    with celery_broker("memory://"):
        yield pending
