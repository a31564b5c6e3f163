"""A date reads "26 juni 2024, 10:00" in Dutch and "26 June 2024, 10:00" in English, in pages and in Python."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.formats import date_format

from topics.models import Topic

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("", "Open voor reacties vanaf 26 juni 2099, 10:00."), ("/en", "Opens for reactions on 26 June 2099, 10:00.")],
)
def test_topic_page_shows_the_opening_date_in_the_sites_format(client, nmp_content, prefix, expected):
    topic = Topic.objects.get(number=3)
    topic.opens_at = datetime(2099, 6, 26, 10, 0, tzinfo=AMSTERDAM)
    topic.closes_at = None
    topic.save()
    html = client.get(prefix + topic.get_absolute_url()).content.decode()
    assert expected in " ".join(html.split())


@pytest.mark.parametrize(("language", "expected"), [("nl", "2 januari 2025, 09:05"), ("en", "2 January 2025, 09:05")])
def test_python_formats_a_datetime_the_same_way(language, expected):
    with translation.override(language):
        assert date_format(datetime(2025, 1, 2, 9, 5, tzinfo=AMSTERDAM), "DATETIME_FORMAT") == expected
