"""Sessions: read from the cache on most requests, the database stays the source, a missed logout lasts a minute."""

from importlib import import_module

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.services import account_delete
from participants.sessions import SessionStore
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def _session_queries(queries):
    return [q["sql"] for q in queries if "django_session" in q["sql"]]


def test_a_logged_in_page_does_not_read_the_session_from_the_database(client):
    client.force_login(ParticipantFactory())
    client.get(reverse("feedback:my_contributions"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("feedback:my_contributions"))
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated
    assert _session_queries(queries.captured_queries) == []


def test_the_database_answers_when_the_cached_copy_is_gone(client):
    user = ParticipantFactory()
    client.force_login(user)
    cache.clear()
    response = client.get(reverse("feedback:my_contributions"))
    assert response.wsgi_request.user == user


def test_ending_all_sessions_logs_out_a_session_that_was_in_the_cache(client):
    user = ParticipantFactory()
    client.force_login(user)
    assert client.get(reverse("feedback:my_contributions")).wsgi_request.user == user
    account_delete(user=user)
    response = client.get(reverse("feedback:my_contributions"))
    assert not response.wsgi_request.user.is_authenticated


def test_the_cached_copy_lives_at_most_a_minute(monkeypatch):
    """A logout that the cache missed (Redis unreachable at that moment) cannot outlive the cached copy."""
    assert settings.SESSION_ENGINE == "participants.sessions"
    timeouts = []
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    real_set = store._cache._cache.set
    monkeypatch.setattr(store._cache._cache, "set", lambda key, value, timeout=None: timeouts.append(timeout))
    store["x"] = 1
    store.save()
    loaded = SessionStore(session_key=store.session_key)
    loaded.load()
    monkeypatch.setattr(store._cache._cache, "set", real_set)
    assert timeouts and all(0 < t <= settings.SESSION_CACHE_SECONDS for t in timeouts)
    assert settings.SESSION_CACHE_SECONDS == 60
