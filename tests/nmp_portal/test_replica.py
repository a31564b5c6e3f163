"""With DATABASE_REPLICA_URL, anonymous pages are rendered from the replica; participants and writes use the primary."""

from datetime import timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback import services
from nmp_portal.routers import ReplicaRouter
from tests.factories import ParticipantFactory, RecommendationFactory, TopicFactory
from topics.models import Topic
from topics.replica import public_reads


@pytest.fixture
def replica_router(settings):
    settings.DATABASE_ROUTERS = ["nmp_portal.routers.ReplicaRouter"]


def _queries(do):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        do()
    return len(primary), len(replica)


def test_router_sends_only_marked_reads_to_the_replica():
    router = ReplicaRouter()
    assert router.db_for_read(Topic) == "default"
    with public_reads():
        assert router.db_for_read(Topic) == "replica"
        assert router.db_for_write(Topic) == "default"
    assert router.allow_migrate("replica", "topics") is False
    assert router.allow_migrate("default", "topics") is True


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_anonymous_page_reads_the_replica_and_a_participant_reads_the_primary(client, replica_router):
    now = timezone.now()
    topic = TopicFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=5))
    RecommendationFactory(topic=topic, position=1)
    participant = ParticipantFactory()

    primary, replica = _queries(lambda: client.get(topic.get_absolute_url()))
    assert replica > 0 and primary == 0

    # A comment is written to the primary, and the next anonymous render (from the replica) shows it.
    primary, replica = _queries(
        lambda: services.comment_create(author=participant, topic=topic, text="Geschreven op de primaire database")
    )
    assert primary > 0 and replica == 0
    assert "Geschreven op de primaire database" in client.get(topic.get_absolute_url()).content.decode()

    client.force_login(participant)
    primary, replica = _queries(lambda: client.get(topic.get_absolute_url()))
    assert primary > 0 and replica == 0
