"""A queryset compiled once gives what the queryset gives, with the call's values, and nothing but parameters."""

import pytest
from django.db import connection
from django.db.models import Count, Value
from django.test.utils import CaptureQueriesContext

from tests.factories import RecommendationFactory, TopicFactory
from topics.compiled import CompiledQuery
from topics.models import Recommendation

pytestmark = pytest.mark.django_db


def _build(text, topic_id):
    return (
        Recommendation.objects.select_related("topic")
        .filter(text=text, topic_id=topic_id)
        .annotate(n=Count("topic__recommendations"), label=Value("x"))
        .order_by("pk")
    )


query = CompiledQuery(_build, "\x00text\x00", -9_000_001)


def test_the_same_objects_as_the_queryset_with_related_objects_and_annotations_in_one_query():
    topic = TopicFactory()
    first = RecommendationFactory(topic=topic, text="Meer meetpunten", position=1)
    RecommendationFactory(topic=topic, text="Iets anders", position=2)
    RecommendationFactory(topic=TopicFactory(), text="Meer meetpunten", position=1)
    query("warm", topic.pk)  # compiled on the first call
    with CaptureQueriesContext(connection) as ctx:
        found = query("Meer meetpunten", topic.pk)
        assert found[0].topic.title == topic.title  # from the same row
    assert len(ctx.captured_queries) == 1
    expected = list(_build("Meer meetpunten", topic.pk))
    assert [r.pk for r in found] == [r.pk for r in expected] == [first.pk]
    assert (found[0].n, found[0].label) == (expected[0].n, expected[0].label) == (2, "x")
    # Converted as the ORM does (aware datetimes, also from SQLite's text).
    assert found[0].topic.created_at == expected[0].topic.created_at and found[0].topic.created_at.tzinfo
    assert not found[0]._state.adding and found[0]._state.db == "default"


def test_values_stay_parameters():
    topic = TopicFactory()
    hostile = "x' OR '1'='1"
    RecommendationFactory(topic=topic, text="gewoon", position=1)
    assert query(hostile, topic.pk) == []
    assert query("gewoon", -1) == []


def test_a_stand_in_that_is_not_one_parameter_is_refused():
    twice = CompiledQuery(lambda t: Recommendation.objects.filter(text=t, source=t), "\x00twice\x00")
    with pytest.raises(ValueError, match="exactly one parameter"):
        twice("a")
