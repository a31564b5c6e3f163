"""The pages cost as many queries on a seeded consultation as on an almost empty one.

The benchmark's national data set differs from ``quick`` only in volume, so
equal counts here (quick size) and in tests/feedback/test_query_counts.py
(a handful of rows) pin them for national size too.
"""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from benchmarks.seed import demo_users
from feedback import services
from feedback.models import Vote
from feedback.results.selectors import published_totals
from feedback.selectors import COMMENTS_PER_PAGE
from participants.selectors import forget_signup_mode
from tests.auth import staff_mfa_login
from tests.factories import ModeratorFactory
from tests.feedback.test_query_counts import (
    RECOMMENDATION_PAGE_QUERIES,
    STAFF_PAGE_QUERIES,
    TOPIC_PAGE_QUERIES,
    VOTE_QUERIES,
    staff_page_urls,
)
from topics.models import Recommendation


def _cold_count(client, url):
    cache.clear()
    forget_signup_mode()  # kept per worker for a few seconds: cold too
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def seeded(nmp_content):
    call_command("seed_demo", "--size", "quick", "--seed", "2", verbosity=0)
    return (
        Recommendation.objects.annotate(threads=Count("comments", filter=Q(comments__parent__isnull=True)))
        .order_by("-threads")
        .select_related("topic")
        .first()
    )


@pytest.mark.parametrize("who", ["anonymous", "participant"])
def test_topic_and_busy_recommendation_pages_cost_the_pinned_queries_at_quick_size(client, seeded, who):
    busiest = seeded
    extra_rec = 0
    if who == "participant":
        # Not on the autumn session's roster (an invitee's invitation is found by the same query).
        user = demo_users().filter(invitations__isnull=True, votes__recommendation__topic=busiest.topic).first()
        client.force_login(user)
        client.get("/")  # the session's first request stamps its start
        # The seeded data has a coming event: the participant's invitations to it are asked in the same
        # query as the rest of the reader's facts, so no extra query. On the recommendation's page (rendered in
        # full, not from a shared copy) a participant who voted on it sees results: one GROUP BY over the
        # published positions.
        extra_rec = 1 if Vote.objects.filter(participant=user, recommendation=busiest).exists() else 0
    topic_url = busiest.topic.get_absolute_url()
    rec_url = f"{topic_url}adviezen/{busiest.pk}/"
    last_page = -(-busiest.threads // COMMENTS_PER_PAGE)
    assert last_page >= 3
    assert _cold_count(client, topic_url) == TOPIC_PAGE_QUERIES[who]
    assert _cold_count(client, rec_url) == RECOMMENDATION_PAGE_QUERIES[who] + extra_rec
    assert _cold_count(client, f"{rec_url}?page={last_page}") == RECOMMENDATION_PAGE_QUERIES[who] + extra_rec


def test_counts_on_the_seeded_pages_are_the_published_totals(client, seeded):
    busiest = seeded
    voter = demo_users().exclude(votes__recommendation=busiest).first()
    other = demo_users().exclude(votes__recommendation=busiest).exclude(pk=voter.pk).first()
    services.vote_cast(participant=voter, recommendation=busiest, choice="agree")  # the voter may see the results
    client.force_login(voter)
    rec_url = f"{busiest.topic.get_absolute_url()}adviezen/{busiest.pk}/"
    shown = client.get(rec_url).context["recommendation"]
    published = published_totals(topic=busiest.topic)[busiest.pk]
    assert shown.agree_count == published["agree"] > 0
    # One more vote alone is not published: the figures do not reveal it.
    services.vote_cast(participant=other, recommendation=busiest, choice="agree")
    assert client.get(rec_url).context["recommendation"].agree_count == shown.agree_count


def test_a_vote_costs_the_pinned_queries_at_quick_size(client, seeded, publication_by_worker):
    busiest = seeded
    user = demo_users().filter(votes__recommendation__topic=busiest.topic).first()
    client.force_login(user)
    client.get("/")  # the session's first request stamps its start
    url = f"/adviezen/{busiest.pk}/stem/"
    client.post(url, {"choice": "agree"}, HTTP_ACCEPT="application/json")  # the recommendation and totals cached
    for choice in ("disagree", "neutral"):
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, {"choice": choice}, HTTP_ACCEPT="application/json")
        assert response.status_code == 200 and response.json()["ok"]
        assert len(ctx.captured_queries) == VOTE_QUERIES
    assert Vote.objects.get(participant=user, recommendation=busiest).choice == "neutral"


@pytest.mark.parametrize("page", ["start", "comments"])
def test_staff_pages_cost_the_pinned_queries_at_quick_size(client, seeded, page):
    topic = seeded.topic  # the busiest recommendation's, as in the benchmark
    staff_mfa_login(client, ModeratorFactory())
    url = staff_page_urls(topic)[page]
    client.get(url)  # the session's first request stores the visit
    assert _cold_count(client, url) == STAFF_PAGE_QUERIES[page]["cold"]
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    assert len(warm.captured_queries) == STAFF_PAGE_QUERIES[page]["warm"]
