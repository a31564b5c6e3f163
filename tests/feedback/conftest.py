import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.models import Priority, Vote
from participants.models import User
from tests.factories import ParticipantFactory, RecommendationFactory, TopicFactory, publish_baseline

_counter = itertools.count()


@pytest.fixture
def topic(db):
    now = timezone.now()
    return TopicFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))


@pytest.fixture
def closed_topic(db):
    now = timezone.now()
    return TopicFactory(opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1))


@pytest.fixture
def upcoming_topic(db):
    now = timezone.now()
    return TopicFactory(opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=30))


@pytest.fixture
def recommendation(topic):
    return RecommendationFactory(topic=topic, position=1)


@pytest.fixture
def recommendations(topic):
    return [RecommendationFactory(topic=topic, position=i) for i in range(1, 6)]


@pytest.fixture
def participant(db):
    return ParticipantFactory()


@pytest.fixture
def other(db):
    return ParticipantFactory(
        first_name="Bram", last_name="Jansen", organisation="Waterschap Noord", sector="waterschap"
    )


def make_voters(recommendation, spec, *, priorities=None, **user_fields):
    """Votes on ``recommendation``: spec = {sector: (agree, neutral, disagree)}; returns the users.

    ``priorities`` = {sector: n} gives the first n voters of that sector a priority too.
    """
    users, votes, prios = [], [], []
    for sector, counts in spec.items():
        for choice, n in zip(("agree", "neutral", "disagree"), counts, strict=True):
            for _ in range(n):
                users.append((sector, choice))
    created = User.objects.bulk_create(
        [User(email=f"stemmer{next(_counter)}@example.org", sector=sector, **user_fields) for sector, _c in users]
    )
    for user, (sector, choice) in zip(created, users, strict=True):
        votes.append(Vote(participant=user, recommendation=recommendation, choice=choice))
    Vote.objects.bulk_create(votes)
    for sector, n in (priorities or {}).items():
        for user in [u for u in created if u.sector == sector][:n]:
            prios.append(Priority(participant=user, recommendation=recommendation, topic=recommendation.topic))
    Priority.objects.bulk_create(prios)
    publish_baseline()
    return created


@pytest.fixture
def voters():
    return make_voters
