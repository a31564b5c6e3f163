"""Votes on the real services: counted and noted in Redis, published by the worker's task."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from feedback.models import Vote
from feedback.results import publication, selectors
from feedback.results.tasks import publish_pending_results
from tests.factories import ParticipantFactory, RecommendationFactory, TopicFactory

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def recommendation(transactional_db):
    publication._pending_client().delete(publication.PENDING_KEY)
    caches["default"].clear()
    return RecommendationFactory(topic=TopicFactory(), position=1)


def test_votes_are_noted_in_redis_and_published_by_the_task(client, recommendation):
    for _ in range(3):
        client.force_login(ParticipantFactory(sector="gemeente"))
        response = client.post(reverse("feedback:vote", args=[recommendation.pk]), {"choice": "agree"}, **JSON)
        assert response.status_code == 200
    assert Vote.objects.filter(recommendation=recommendation).count() == 3
    assert publication._pending_client().scard(publication.PENDING_KEY) == 3
    figures = selectors.topic_results(topic=recommendation.topic, visibility=selectors.ALL)
    assert figures.get(recommendation.pk).total.voters == 0
    assert publish_pending_results() == 3
    figures = selectors.topic_results(topic=recommendation.topic, visibility=selectors.ALL)
    assert figures.get(recommendation.pk).total.agree == 3


def test_the_contribution_limit_counts_on_redis(client, recommendation, settings):
    settings.CONTRIBUTION_RATE_LIMITS = {"vote": "3/m/user,100/m/ip"}
    client.force_login(ParticipantFactory())
    url = reverse("feedback:vote", args=[recommendation.pk])
    statuses = [client.post(url, {"choice": "agree"}, **JSON).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
