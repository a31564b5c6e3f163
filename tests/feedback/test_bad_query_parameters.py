"""Hostile list parameters on every list and results page: the default or a 404, never a 500 or an unbounded query."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.models import Vote
from tests.factories import ParticipantFactory, RecommendationFactory

BAD = ["?page=999999", "?page=-1", "?sort=__import__", "?per_page=100000", "?order=__import__", "?sort=-pk"]


@pytest.fixture
def pages(closed_topic, topic):
    rec = RecommendationFactory(topic=closed_topic, position=1)
    open_rec = RecommendationFactory(topic=topic, position=1)
    voters = [ParticipantFactory(sector="gemeente") for _ in range(12)]
    Vote.objects.bulk_create([Vote(participant=v, recommendation=rec, choice="agree") for v in voters])
    return [
        "/",
        topic.get_absolute_url(),
        reverse("feedback:recommendation_detail", args=[topic.slug, open_rec.pk]),
        reverse("results:overview"),
        reverse("results:topic", args=[closed_topic.slug]),
        reverse("results:topic-csv", args=[closed_topic.slug]),
        reverse("results:overview-csv"),
        reverse("results_api:topic-results", args=[closed_topic.slug]),
    ]


@pytest.mark.parametrize("query", BAD)
def test_hostile_parameters_get_the_default_page_with_no_more_queries(
    client, pages, query, django_assert_max_num_queries
):
    for url in pages:
        cache.clear()
        normal = client.get(url)
        assert normal.status_code == 200, url
        cache.clear()
        with django_assert_max_num_queries(12) as bad_queries:
            response = client.get(url + query)
        assert response.status_code in (200, 404), url + query
        if response.status_code == 200:
            assert response.content.count(b"<tr") <= max(1, normal.content.count(b"<tr")) * 2, url + query
        cache.clear()
        with CaptureQueriesContext(connection) as normal_queries:
            client.get(url)
        assert len(bad_queries) <= len(normal_queries), url + query
