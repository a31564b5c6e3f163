"""The user and the reader's own topic page from a real Redis: used while current, never after a change."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback import services
from tests.factories import ParticipantFactory, RecommendationFactory, TopicFactory

from .test_redis_outage import own_redis  # noqa: F401 - a fixture


def _get(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, len(ctx.captured_queries)


def test_the_kept_user_and_page_follow_every_change(client, own_redis, transactional_db):  # noqa: F811
    now = timezone.now()
    topic = TopicFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
    recommendation = RecommendationFactory(topic=topic, position=1)
    user = ParticipantFactory()
    client.force_login(user)
    url = topic.get_absolute_url()
    for _ in range(3):  # the shared copy, then this reader's own
        client.get(url)
    response, queries = _get(client, url)
    assert response.status_code == 200 and queries == 0

    # Their vote (committed: this test runs without a wrapping transaction) shows on their next page.
    services.vote_cast(participant=user, recommendation=recommendation, choice="agree")
    response, queries = _get(client, url)
    assert queries > 0 and 'aria-pressed="true"' in response.content.decode()

    # Deactivated: the next request no longer has the account, although a copy of it was kept.
    user.is_active = False
    user.save()
    response = client.get("/profiel/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_after_redis_restarts_nothing_old_is_used(client, own_redis, transactional_db):  # noqa: F811
    user = ParticipantFactory(first_name="Anne")
    client.force_login(user)
    client.get("/profiel/")
    own_redis.stop()
    type(user).objects.filter(pk=user.pk).update(first_name="Bea")  # no signal, and Redis is away anyway
    own_redis.start()  # empty: no persistence, as in production
    response = client.get("/profiel/")
    # The session is read from the database again; the account too: nothing kept before the restart is used.
    assert response.status_code == 200 and response.context["user"].first_name == "Bea"
