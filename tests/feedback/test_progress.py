"""Phase and progress on the home page and the topic page, the next-topic link, and the phase in the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import Vote
from tests.factories import ParticipantFactory, RecommendationFactory, TopicFactory


@pytest.fixture
def two_topics(db):
    now = timezone.now()
    first = TopicFactory(number=1, ordering=1, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
    second = TopicFactory(number=2, ordering=2, opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=40))
    third = TopicFactory(number=3, ordering=3, opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1))
    recs = [RecommendationFactory(topic=first, position=i) for i in range(1, 6)]
    RecommendationFactory(topic=first, position=9, is_published=False)
    for i in range(1, 4):
        RecommendationFactory(topic=third, position=i)
    return first, second, third, recs


def test_home_shows_progress_per_topic_and_overall(client, two_topics, django_assert_num_queries):
    _first, _second, _third, recs = two_topics
    participant, other = ParticipantFactory(), ParticipantFactory()
    for rec in recs[:2]:
        services.vote_cast(participant=participant, recommendation=rec, choice="agree")
    for rec in recs:  # someone else's positions never count for the participant
        services.vote_cast(participant=other, recommendation=rec, choice="disagree")
    client.force_login(participant)
    client.get("/")
    # topics with counts, own positions per topic, site texts (the session and the user come from the
    # cache); the coming events (kept per worker: read by the first request; none here, so no invitations)
    with django_assert_num_queries(3):
        html = client.get("/").content.decode()
    assert "U gaf uw mening over 2 van 8 adviezen." in html  # overall: 5 + 3 published
    assert "U gaf uw mening over 2 van 5 adviezen." in html  # topic 1
    assert "U gaf uw mening over 0 van 3 adviezen." in html  # topic 3


def test_home_query_count_does_not_grow_with_votes(client, two_topics, django_assert_num_queries):
    _first, _second, _third, recs = two_topics
    participant = ParticipantFactory()
    client.force_login(participant)
    client.get("/")
    Vote.objects.bulk_create(
        [Vote(participant=ParticipantFactory(), recommendation=recs[i % 5], choice="agree") for i in range(30)]
    )
    with django_assert_num_queries(3):
        client.get("/")


def test_anonymous_home_shows_phases_without_progress(client, two_topics, django_assert_num_queries):
    _first, _second, _third, _recs = two_topics
    with django_assert_num_queries(3):  # topics with counts, site texts, the header's sign-up mode
        html = client.get("/").content.decode()
    assert "U gaf uw mening" not in html
    assert "Open voor reacties tot" in html
    assert "Open voor reacties vanaf" in html
    assert "Gesloten voor reacties sinds" in html


def test_topic_page_shows_own_progress_and_the_next_topic(client, two_topics):
    first, second, third, recs = two_topics
    participant = ParticipantFactory()
    services.vote_cast(participant=participant, recommendation=recs[0], choice="neutral")
    client.force_login(participant)
    html = client.get(first.get_absolute_url()).content.decode()
    assert "U gaf uw mening over 1 van 5 adviezen." in html
    assert f'href="{second.get_absolute_url()}"' in html and "Volgende onderwerp:" in html
    html = client.get(third.get_absolute_url()).content.decode()
    assert "Dit was het laatste onderwerp." in html


def test_api_gives_phase_and_dates(client, two_topics):
    first, second, third, _recs = two_topics
    data = {t["slug"]: t for t in client.get("/api/topics/").json()}
    assert data[first.slug]["phase"] == "open"
    assert data[second.slug]["phase"] == "upcoming"
    assert data[third.slug]["phase"] == "closed"
    assert data[third.slug]["closes_at"] == third.closes_at.isoformat()
    detail = client.get(f"/api/topics/{second.slug}/").json()
    assert detail["phase"] == "upcoming" and detail["opens_at"] == second.opens_at.isoformat()
