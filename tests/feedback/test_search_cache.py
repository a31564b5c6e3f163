"""Anonymous search pages come from the page cache, keyed by the cleaned query: any change shows at once."""

import pytest

from feedback import moderation, privacy, services
from tests.factories import ModeratorFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

URL = "/zoeken/"


def _get(client, q, **params):
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_a_repeated_search_costs_no_query_and_spacing_does_not_matter(client, topic, django_assert_num_queries):
    services.comment_create(author=ParticipantFactory(), topic=topic, text="Fijnstof langs de snelweg meten.")
    first = _get(client, "fijnstof snelweg")
    with django_assert_num_queries(0):
        again = _get(client, "  fijnstof   snelweg ")
    assert "Fijnstof" in again and again.count("search-hit__excerpt") == first.count("search-hit__excerpt")


def test_a_new_comment_shows_in_a_cached_search(client, topic, participant):
    assert "0 resultaten" in _get(client, "zwerfafval")
    services.comment_create(author=participant, topic=topic, text="Zwerfafval in de berm is een probleem.")
    html = _get(client, "zwerfafval")
    assert "1 resultaat" in html and "berm" in html


def test_a_deleted_comment_leaves_a_cached_search(client, topic, participant):
    comment = services.comment_create(author=participant, topic=topic, text="Hemelwater afkoppelen in de wijk.")
    assert "1 resultaat" in _get(client, "hemelwater")
    services.comment_delete(comment=comment, author=participant)
    assert "0 resultaten" in _get(client, "hemelwater")


def test_a_hidden_comment_leaves_a_cached_search(client, topic, participant):
    comment = services.comment_create(author=participant, topic=topic, text="Grondwater onder de polder.")
    assert "1 resultaat" in _get(client, "grondwater")
    moderation.comment_hide(comment=comment, moderator=ModeratorFactory(), reason_code="spam")
    assert "0 resultaten" in _get(client, "grondwater")


def test_erasing_an_account_with_its_contributions_leaves_every_cached_page(client, topic, participant):
    services.comment_create(author=participant, topic=topic, text="Bodemdaling in het veenweidegebied.")
    assert "1 resultaat" in _get(client, "bodemdaling")
    assert "Bodemdaling in het veenweidegebied" in client.get(topic.get_absolute_url()).content.decode()
    privacy.erase(participant, remove_contributions=True)
    assert "0 resultaten" in _get(client, "bodemdaling")
    assert "Bodemdaling in het veenweidegebied" not in client.get(topic.get_absolute_url()).content.decode()


def test_logged_in_searches_are_never_cached(client, topic, participant, django_assert_max_num_queries):
    _get(client, "luchtkwaliteit")
    client.force_login(participant)
    with django_assert_max_num_queries(30) as queries:
        _get(client, "luchtkwaliteit")
    assert len(queries) > 0


@pytest.mark.parametrize(
    "params",
    [
        {"page": "999999"},
        {"page": "-1"},
        {"page": "abc"},
        {"per_page": "100000"},
        {"sort": "__import__"},
    ],
)
def test_bad_parameters_answer_a_page_twice(client, topic, participant, params):
    services.comment_create(author=participant, topic=topic, text="Geluid van windturbines meten.")
    for _ in range(2):
        assert "windturbines" in _get(client, "windturbines", **params).lower()


def test_a_very_long_query_answers_a_page_and_is_not_kept(client, topic):
    html = _get(client, "stikstof " * 300)
    assert 'maxlength="200"' in html
    assert _get(client, "stikstof " * 300) == html or "csrfmiddlewaretoken" in html
