"""Results for anonymous readers come from the page cache, the figures from a cache for everyone:
a publication step, a change of texts or a phase change shows at once, and no reader gets another's view."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from feedback import services
from feedback.results import selectors
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory, TopicFactory
from topics import pagecache

pytestmark = pytest.mark.django_db

RESULT_URLS = [
    "/onderwerpen/{slug}/resultaten/",
    "/onderwerpen/{slug}/resultaten/{pk}/",
    "/onderwerpen/{slug}/resultaten.csv",
    "/api/topics/{slug}/results/",
    "/resultaten/",
    "/resultaten.csv",
]


@pytest.fixture
def closed_topic():
    now = timezone.now()
    return TopicFactory(slug="gesloten", opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1))


def _urls(rec):
    return [url.format(slug=rec.topic.slug, pk=rec.pk) for url in RESULT_URLS]


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_second_anonymous_request_costs_no_query(client, closed_topic, voters, django_assert_num_queries):
    rec = RecommendationFactory(topic=closed_topic)
    voters(rec, {"gemeente": (4, 1, 0), "bedrijfsleven": (3, 0, 1)})
    for url in _urls(rec):
        first = _page(client, url)
        with django_assert_num_queries(0):
            assert _page(client, url) == first or "csrfmiddlewaretoken" in first


def test_a_publication_step_shows_on_every_cached_results_answer(client, settings, closed_topic, voters):
    settings.RESULTS_MIN_SECTOR_VOTERS = 3
    settings.RESULTS_MIN_TOTAL_VOTERS = 3
    rec = RecommendationFactory(topic=closed_topic)
    voters(rec, {"gemeente": (3, 0, 0)})
    before = {url: _page(client, url) for url in _urls(rec)}
    assert '"agree": 3' in before[f"/api/topics/{closed_topic.slug}/results/"]
    voters(rec, {"bedrijfsleven": (0, 0, 4)})  # publishes a step (publish_all)
    for url in _urls(rec):
        page = _page(client, url)
        assert page != before[url], url
    api = client.get(f"/api/topics/{closed_topic.slug}/results/").json()[0]
    assert api["totals"]["disagree"] == 4 and api["totals"]["agree"] == 3
    assert api["by_sector"]["bedrijfsleven"]["disagree"] == 4


def test_a_vote_through_the_service_updates_the_cached_api_once_it_publishes(client, settings):
    settings.RESULTS_MIN_SECTOR_VOTERS = 2
    settings.RESULTS_MIN_TOTAL_VOTERS = 2
    topic = TopicFactory(slug="sluit-zo", closes_at=timezone.now() + timedelta(hours=1))
    rec = RecommendationFactory(topic=topic)
    later = topic.closes_at + timedelta(minutes=5)
    url = f"/api/topics/{topic.slug}/results/"
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert client.get(url).json()[0]["totals"]["voters"] == 0
    for _ in range(2):
        services.vote_cast(participant=ParticipantFactory(sector="gemeente"), recommendation=rec, choice="agree")
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert client.get(url).json()[0]["totals"]["agree"] == 2


def test_the_figures_cache_follows_a_publication_for_logged_in_readers(client, closed_topic, voters):
    rec = RecommendationFactory(topic=closed_topic)
    voters(rec, {"gemeente": (5, 0, 0)})
    client.force_login(ModeratorFactory())
    assert "5" in _page(client, f"/api/topics/{closed_topic.slug}/results/")
    voters(rec, {"gemeente": (0, 0, 6)})
    assert client.get(f"/api/topics/{closed_topic.slug}/results/").json()[0]["totals"]["disagree"] == 6
    assert selectors.published_totals(topic=closed_topic)[rec.pk]["disagree"] == 6


def test_open_topic_figures_never_go_from_a_moderator_to_an_anonymous_reader(client, topic, voters):
    """The moderator renders first (figures shown), then an anonymous reader: no figures; and the other way."""
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (5, 0, 0), "bedrijfsleven": (5, 0, 0)})
    moderator = Client()
    moderator.force_login(ModeratorFactory())
    api = f"/api/topics/{topic.slug}/results/"
    assert moderator.get(api).json()[0]["visible"] is True
    assert client.get(api).json()[0]["visible"] is False
    assert client.get(api).json()[0]["totals"] is None  # and again, now from the cache
    assert moderator.get(api).json()[0]["visible"] is True
    for url in _urls(rec):
        moderator_page = _page(moderator, url)
        anonymous_page = _page(client, url)
        assert _page(client, url) == anonymous_page or "csrfmiddlewaretoken" in anonymous_page
        assert moderator_page != anonymous_page, url


def test_a_voter_sees_the_figures_an_anonymous_reader_may_not(client, topic, voters):
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (5, 0, 0)})
    api = f"/api/topics/{topic.slug}/results/"
    assert client.get(api).json()[0]["visible"] is False
    participant = ParticipantFactory(sector="gemeente")
    services.vote_cast(participant=participant, recommendation=rec, choice="agree")
    reader = Client()
    reader.force_login(participant)
    assert reader.get(api).json()[0]["visible"] is True
    assert client.get(api).json()[0]["visible"] is False


def test_closing_a_topic_shows_its_figures_to_anonymous_readers(client, settings, voters):
    topic = TopicFactory(slug="bijna-dicht", closes_at=timezone.now() + timedelta(hours=1))
    rec = RecommendationFactory(topic=topic)
    voters(rec, {"gemeente": (5, 0, 0)})
    api = f"/api/topics/{topic.slug}/results/"
    assert client.get(api).json()[0]["visible"] is False
    # Closed by the organisers in the admin (a content change) ...
    topic.closes_at = timezone.now() - timedelta(minutes=1)
    topic.save()
    pagecache.bump(pagecache.CONTENT)
    assert client.get(api).json()[0]["visible"] is True
    assert "5" in _page(client, "/resultaten/")


def test_an_answer_is_kept_no_longer_than_until_the_topic_closes(client, voters):
    topic = TopicFactory(slug="dicht-over-20s", closes_at=timezone.now() + timedelta(seconds=20))
    RecommendationFactory(topic=topic)
    with mock.patch("topics.pagecache.cache.set") as stored:
        client.get(f"/api/topics/{topic.slug}/results/")
        client.get("/resultaten/")
    ttls = [call.args[2] for call in stored.call_args_list if call.args[0].startswith("page:")]
    assert len(ttls) == 2 and all(0 < ttl <= 20 for ttl in ttls)


def test_editing_a_recommendation_in_the_admin_shows_on_the_cached_results(client, closed_topic, voters):
    from participants.models import User

    rec = RecommendationFactory(topic=closed_topic, text="Oude tekst van het advies")
    voters(rec, {"gemeente": (5, 0, 0)})
    assert "Oude tekst van het advies" in _page(client, f"/onderwerpen/{closed_topic.slug}/resultaten/")
    from django.contrib.admin import site

    from topics.admin import RecommendationAdmin

    admin = User.objects.create_superuser(email="beheer@example.org", password="x")
    request = mock.Mock(user=admin)
    rec.text = "Nieuwe tekst van het advies"
    model_admin = RecommendationAdmin(type(rec), site)
    model_admin.save_model(request, rec, form=None, change=True)
    model_admin.save_related(request, mock.Mock(), formsets=[], change=True)
    page = _page(client, f"/onderwerpen/{closed_topic.slug}/resultaten/")
    assert "Nieuwe tekst van het advies" in page and "Oude tekst" not in page


def test_parameters_give_their_own_cached_answer(client, closed_topic, voters):
    rec = RecommendationFactory(topic=closed_topic)
    voters(rec, {"gemeente": (5, 0, 0)})
    url = f"/onderwerpen/{closed_topic.slug}/resultaten.csv"
    plain = client.get(url)
    spreadsheet = client.get(f"{url}?format=spreadsheet")
    assert "excel" in spreadsheet["Content-Disposition"] and "excel" not in plain["Content-Disposition"]
    assert client.get(url)["Content-Disposition"] == plain["Content-Disposition"]
    assert client.get(f"{url}?format=spreadsheet").content == spreadsheet.content


def test_hostile_parameters_on_results_pages(client, closed_topic, voters):
    rec = RecommendationFactory(topic=closed_topic)
    voters(rec, {"gemeente": (5, 0, 0)})
    for query in ["?sort=__import__", "?page=999999", "?page=-1", "?per_page=100000", "?sort=" + "x" * 500]:
        for url in _urls(rec):
            assert client.get(url + query).status_code == 200, url + query


def test_cached_figures_keep_their_labels_in_each_language(client, closed_topic, voters):
    rec = RecommendationFactory(topic=closed_topic)
    voters(rec, {"gemeente": (5, 0, 0), "bedrijfsleven": (5, 0, 0)})
    client.force_login(ModeratorFactory())  # not from the page cache: the figures cache alone
    dutch = _page(client, f"/onderwerpen/{closed_topic.slug}/resultaten/{rec.pk}/")
    english = _page(client, f"/en/onderwerpen/{closed_topic.slug}/resultaten/{rec.pk}/")
    assert "Alle deelnemers" in dutch and "All participants" in english and "Alle deelnemers" not in english
