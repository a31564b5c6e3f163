"""The test factory makes topics that fit the 1-10 numbering next to whatever is already there."""

import pytest

from tests.factories import TopicFactory
from topics.models import Topic


@pytest.mark.django_db
def test_factory_topics_take_the_free_numbers_up_to_ten():
    Topic.objects.create(number=1, slug="al-geladen", title="Al geladen", heading="AL", introduction="x")
    made = [TopicFactory() for _ in range(9)]
    assert sorted(t.number for t in made) == list(range(2, 11))
    with pytest.raises(ValueError, match="All ten topic numbers are taken"):
        TopicFactory()


@pytest.mark.django_db
def test_factory_topic_next_to_part_of_the_loaded_content(nmp_content):
    Topic.objects.filter(number__gt=8).delete()
    assert TopicFactory().number == 9
