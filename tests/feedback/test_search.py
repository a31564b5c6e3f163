"""Search: finds workshop text and comments, groups and pages the hits, and answers any input with a page.

Runs on the embedded SQLite (substring fallback) and, with DATABASE_URL set to
PostgreSQL, on the Dutch full-text search; the assertions hold for both.
"""

import re

import pytest
from django.db import connection
from django.urls import reverse

from feedback import search
from feedback.models import Comment
from tests.factories import ParticipantFactory, RecommendationFactory
from topics.models import Recommendation, Topic

URL = "/zoeken/"


def _get(client, q, **params):
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def _phrase(text):
    """Four consecutive words of letters only, separated by single spaces, from the middle of ``text``."""
    candidates = re.findall(r"(?<![\w-])(?:[A-Za-zÀ-ÿ]+ ){3}[A-Za-zÀ-ÿ]+(?![\w-])", text)
    assert candidates, text
    return candidates[len(candidates) // 2]


@pytest.mark.django_db
def test_finds_a_phrase_from_a_workshop_recommendation(client, nmp_content):
    recommendation = Recommendation.objects.filter(topic__number=3).order_by("position")[2]
    phrase = _phrase(recommendation.text)
    html = _get(client, f'"{phrase}"' if connection.vendor == "postgresql" else phrase)
    detail = reverse(
        "feedback:recommendation_detail", kwargs={"slug": recommendation.topic.slug, "pk": recommendation.pk}
    )
    assert f'href="{detail}"' in html
    assert "Adviezen van de werksessie" in html  # grouped under its kind
    assert "<mark>" in html


@pytest.mark.django_db
def test_finds_a_visible_comment_but_never_a_hidden_or_deleted_one(client, topic):
    author = ParticipantFactory()
    shown = Comment.objects.create(topic=topic, author=author, text="De stikstofdepositie bij Natura 2000 moet omlaag.")
    Comment.objects.create(topic=topic, author=author, text="Stikstofdepositie verborgen tekst", is_hidden=True)
    Comment.objects.create(topic=topic, author=author, text="Stikstofdepositie gewiste tekst", is_deleted=True)
    html = _get(client, "stikstofdepositie")
    assert f'href="{shown.get_absolute_url()}"' in html
    assert "Reacties" in html
    assert "verborgen tekst" not in html and "gewiste tekst" not in html
    assert "1 resultaat voor “stikstofdepositie”." in html


@pytest.mark.django_db
def test_unpublished_recommendations_are_not_found(client, topic):
    RecommendationFactory(topic=topic, text="Geheim concept over waterstofnetten", is_published=False)
    html = _get(client, "waterstofnetten")
    assert "0 resultaten" in html and "Geheim concept" not in html


@pytest.mark.django_db
def test_markup_in_content_and_query_is_shown_as_text(client, topic):
    author = ParticipantFactory()
    Comment.objects.create(topic=topic, author=author, text='Bodemsanering <script>alert("x")</script> <b>nu</b>')
    html = _get(client, "bodemsanering <script>alert(1)</script>")
    assert "<script>alert" not in html and "<b>nu</b>" not in html
    html = _get(client, "bodemsanering")
    excerpt = html.split("search-hit__excerpt", 1)[1].split("</p>", 1)[0]
    # Escaped (fallback) or left out by PostgreSQL's headline: never markup.
    assert "<script>" not in excerpt and "<b>" not in excerpt
    assert "<mark>Bodemsanering</mark>" in excerpt


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "a",
        "x" * 500,
        "<img src=x onerror=alert(1)>",
        "'; DROP TABLE feedback_comment; --",
        '"ongebalanceerd',
        "lucht & | ! water",
        "&|!",
        "!!!",
        "(((",
        "a:* & b",
        "\x00\x01 nul",
        "%",
        "_",
    ],
)
def test_hostile_and_odd_queries_answer_a_page(client, nmp_content, query):
    html = _get(client, query)
    assert "<img src=x" not in html
    assert Comment.objects.model._meta.db_table in connection.introspection.table_names()  # nothing dropped
    if len(search.clean_query(query)) == 1:
        assert "Typ minstens 2 tekens." in html


@pytest.mark.django_db
def test_a_long_query_is_cut_to_the_maximum(client, nmp_content):
    html = _get(client, "lucht " * 200)
    assert 'maxlength="200"' in html
    assert search.clean_query("lucht " * 200) == ("lucht " * 200)[: search.MAX_LENGTH].strip()


@pytest.mark.django_db
def test_pages_through_many_hits_and_falls_back_for_a_bad_page(client, topic):
    author = ParticipantFactory()
    Comment.objects.bulk_create(
        [Comment(topic=topic, author=author, text=f"Geluidsoverlast bij wegen, punt {i}") for i in range(45)]
    )
    first = _get(client, "geluidsoverlast")
    assert "45 resultaten" in first and "Pagina 1 van 3" in first
    assert first.count('class="search-hit"') == search.PER_PAGE
    last = _get(client, "geluidsoverlast", page="3")
    assert last.count('class="search-hit"') == 5
    for bad in ("999", "-1", "abc", "1e9"):
        html = _get(client, "geluidsoverlast", page=bad)
        assert 'class="search-hit"' in html


@pytest.mark.django_db
def test_search_costs_one_query_per_kind(client, nmp_content, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        search.search("lucht water")


@pytest.mark.django_db
def test_header_has_a_search_box_on_every_page(client, nmp_content):
    for url in ["/", Topic.objects.first().get_absolute_url(), "/resultaten/", "/en/"]:
        html = client.get(url).content.decode()
        assert 'role="search"' in html and 'name="q"' in html


def test_highlight_escapes_every_piece():
    html = search.highlight('a <b>lucht</b> & "lucht"', ["lucht"])
    assert html == "a &lt;b&gt;<mark>lucht</mark>&lt;/b&gt; &amp; &quot;<mark>lucht</mark>&quot;"
