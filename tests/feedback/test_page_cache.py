"""Anonymous readers get cached pages, which a change through the services makes stale at once."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from feedback import moderation, services
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory, TopicFactory
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


def test_hiding_a_comment_removes_it_from_the_cached_topic_and_recommendation_pages(
    client, topic, recommendation, participant
):
    moderator = ModeratorFactory()
    rec_url = f"{topic.get_absolute_url()}adviezen/{recommendation.pk}/"
    general = services.comment_create(author=participant, topic=topic, text="Iets wat weg moet")
    on_rec = services.comment_create(
        author=participant, topic=topic, recommendation=recommendation, text="Ook dit moet weg"
    )
    assert "Iets wat weg moet" in client.get(topic.get_absolute_url()).content.decode()
    assert "Ook dit moet weg" in client.get(rec_url).content.decode()
    moderation.comment_hide(comment=general, moderator=moderator, reason_code="personal_data")
    moderation.comment_hide(comment=on_rec, moderator=moderator, reason_code="spam")
    topic_page = client.get(topic.get_absolute_url()).content.decode()
    rec_page = client.get(rec_url).content.decode()
    assert "Iets wat weg moet" not in topic_page and "Ook dit moet weg" not in rec_page
    assert "Ook dit moet weg" not in topic_page
    assert "persoonsgegevens" in topic_page.lower()  # the placeholder with the public reason


def test_restoring_and_featuring_show_on_the_cached_page_at_once(client, topic, participant):
    moderator = ModeratorFactory()
    comment = services.comment_create(author=participant, topic=topic, text="Terug na bezwaar")
    moderation.comment_hide(comment=comment, moderator=moderator, reason_code="off_topic")
    assert "Terug na bezwaar" not in client.get(topic.get_absolute_url()).content.decode()
    moderation.comment_restore(comment=comment, moderator=moderator)
    assert "Terug na bezwaar" in client.get(topic.get_absolute_url()).content.decode()
    moderation.comment_feature(comment=comment, moderator=moderator, featured=True)
    assert "Uitgelicht" in client.get(topic.get_absolute_url()).content.decode()


def test_an_official_response_shows_on_the_cached_pages_at_once(client, topic, recommendation, participant):
    moderator = ModeratorFactory()
    rec_url = f"{topic.get_absolute_url()}adviezen/{recommendation.pk}/"
    comment = services.comment_create(author=participant, topic=topic, text="Wat gebeurt hiermee?")
    client.get(topic.get_absolute_url())
    client.get(rec_url)
    moderation.official_response_set(target=comment, moderator=moderator, text="Het programmateam neemt dit mee.")
    moderation.official_response_set(target=recommendation, moderator=moderator, text="Dit advies wordt uitgewerkt.")
    assert "Het programmateam neemt dit mee." in client.get(topic.get_absolute_url()).content.decode()
    assert "Dit advies wordt uitgewerkt." in client.get(rec_url).content.decode()
    # A correction of the response replaces it on the cached page too: never the stale text.
    moderation.official_response_set(target=comment, moderator=moderator, text="Het programmateam neemt dit over.")
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Het programmateam neemt dit over." in page and "neemt dit mee" not in page


def test_a_vote_that_publishes_a_step_updates_the_cached_figures(client, settings, topic, recommendation):
    """Anonymous visitors see figures once the topic has closed; the clock is moved there and back."""
    settings.RESULTS_MIN_SECTOR_VOTERS = 3
    settings.RESULTS_MIN_TOTAL_VOTERS = 3
    topic.closes_at = timezone.now() + timedelta(hours=1)
    topic.save()
    after_closing = topic.closes_at + timedelta(minutes=5)
    for choice in ["agree", "agree", "agree", "disagree", "disagree"]:
        services.vote_cast(participant=ParticipantFactory(), recommendation=recommendation, choice=choice)
    with mock.patch("django.utils.timezone.now", return_value=after_closing):
        before = client.get(topic.get_absolute_url()).content.decode()
    assert "Eens <strong>3</strong>" in before and "Oneens <strong>0</strong>" in before  # two are not published
    other = TopicFactory()
    scopes = (
        pagecache.CONTENT,
        pagecache.RESULTS,
        pagecache.results_scope(topic.slug),
        pagecache.results_scope(other.slug),
    )
    generations = pagecache.generations(*scopes)
    services.vote_cast(participant=ParticipantFactory(), recommendation=recommendation, choice="disagree")
    # The third disagree vote published a step: the results and this topic's figures move on; the pages
    # without figures (content) and the other topics' pages stay where they are.
    moved = [now != then for now, then in zip(pagecache.generations(*scopes), generations, strict=True)]
    assert moved == [False, True, True, False]
    with mock.patch("django.utils.timezone.now", return_value=after_closing):
        after = client.get(topic.get_absolute_url()).content.decode()
    assert "Eens <strong>3</strong>" in after and "Oneens <strong>3</strong>" in after


def test_a_vote_without_a_publication_step_leaves_the_cached_pages_alone(settings, topic, recommendation):
    settings.RESULTS_MIN_SECTOR_VOTERS = 3
    scopes = (pagecache.CONTENT, pagecache.RESULTS, pagecache.results_scope(topic.slug))
    generations = pagecache.generations(*scopes)
    services.vote_cast(participant=ParticipantFactory(), recommendation=recommendation, choice="agree")
    assert pagecache.generations(*scopes) == generations


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


def test_a_bump_outside_a_transaction_moves_the_generation_once():
    """After a write in autocommit there is nothing left to wait for: one round trip, not two."""
    scope = "test:bump-once"
    (before,) = pagecache.generations(scope)
    pagecache.bump(scope)
    assert pagecache.generations(scope) == (before + 1,)


@pytest.mark.django_db
def test_a_bump_inside_a_transaction_moves_the_generation_now_and_at_the_commit(django_capture_on_commit_callbacks):
    scope = "test:bump-twice"
    (before,) = pagecache.generations(scope)
    with django_capture_on_commit_callbacks(execute=True):
        pagecache.bump(scope)
        assert pagecache.generations(scope) == (before + 1,)
    assert pagecache.generations(scope) == (before + 2,)
