"""Anonymous readers get cached pages, which a change through the services makes stale at once."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from feedback import services
from tests.factories import ModeratorFactory, RecommendationFactory
from topics import pagecache

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def recommendation(topic):
    return RecommendationFactory(topic=topic, position=1)


def test_second_anonymous_view_costs_no_query(client, topic, recommendation, django_assert_num_queries):
    first = client.get(topic.get_absolute_url())
    with django_assert_num_queries(0):
        second = client.get(topic.get_absolute_url())
    assert second.status_code == 200
    # The same page apart from the visitor's own CSRF token.
    assert TOKEN.sub("", first.content.decode()) == TOKEN.sub("", second.content.decode())
    assert "Cookie" in second["Vary"]


def test_a_comment_through_the_service_shows_on_the_cached_pages_at_once(client, topic, recommendation, participant):
    rec_url = f"{topic.get_absolute_url()}adviezen/{recommendation.pk}/"
    client.get(topic.get_absolute_url())
    client.get(rec_url)
    services.comment_create(author=participant, topic=topic, text="Algemene opmerking over luchtkwaliteit")
    services.comment_create(author=participant, topic=topic, recommendation=recommendation, text="Over dit advies")
    assert "Algemene opmerking over luchtkwaliteit" in client.get(topic.get_absolute_url()).content.decode()
    assert "Over dit advies" in client.get(rec_url).content.decode()


def test_hiding_a_comment_makes_the_cached_page_stale(client, topic, participant):
    moderator = ModeratorFactory()
    comment = services.comment_create(author=participant, topic=topic, text="Iets wat weg moet")
    assert "Iets wat weg moet" in client.get(topic.get_absolute_url()).content.decode()
    services.comment_hide(comment=comment, moderator=moderator, reason="Persoonsgegevens")
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Iets wat weg moet" not in page
    assert "Persoonsgegevens" in page


def test_forms_on_a_cached_page_carry_the_visitors_own_csrf_token(topic, recommendation):
    Client().get(topic.get_absolute_url())  # someone else fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(topic.get_absolute_url())
    token = TOKEN.search(page.content.decode()).group(1)
    assert "csrftoken" in page.cookies  # the visitor got their own cookie with the cached page
    response = visitor.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_logged_in_readers_never_get_the_cached_page(client, topic, recommendation, participant):
    Client().get(topic.get_absolute_url())
    client.force_login(participant)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Log out" in page or "Uitloggen" in page


def test_unknown_query_parameters_are_not_cached(client, topic, recommendation, django_assert_max_num_queries):
    client.get(f"{topic.get_absolute_url()}?utm_source=nieuwsbrief")
    with django_assert_max_num_queries(10) as queries:
        client.get(f"{topic.get_absolute_url()}?utm_source=nieuwsbrief")
    assert len(queries) > 0


def test_a_cached_page_does_not_outlive_the_topic_phase(topic):
    topic.closes_at = timezone.now() + timedelta(seconds=20)
    assert 0 < pagecache.seconds_until_phase_change(topic) <= 20
    topic.opens_at, topic.closes_at = None, None
    assert pagecache.seconds_until_phase_change(topic) == pagecache.PAGE_TTL
