from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ParticipantFactory, RecommendationFactory, TopicFactory


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
