"""Results pages, CSV and the open-data API: status codes, visibility, query counts, agreement."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.models import Vote
from feedback.results.statistics import Sort
from participants.models import User
from participants.selectors import forget_signup_mode
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory, TopicFactory, publish_baseline

pytestmark = pytest.mark.django_db

API_KEYS = {"id", "position", "text", "source", "visible", "totals", "by_sector", "consensus"}


@pytest.fixture
def closed_topic():
    now = timezone.now()
    return TopicFactory(slug="gesloten", opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1))


@pytest.fixture
def open_topic():
    return TopicFactory(slug="open")


def _csv(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_api_shape_and_figures(client, closed_topic, voters):
    rec = RecommendationFactory(topic=closed_topic, text='=HYPERLINK("x")')
    # kennis (1) counts nowhere; three voters without a sector count in the total.
    voters(
        rec,
        {"gemeente": (4, 1, 0), "bedrijfsleven": (3, 0, 1), "kennis": (1, 0, 0), "": (3, 0, 0)},
        priorities={"gemeente": 2},
    )
    response = client.get("/api/topics/gesloten/results/")
    assert response.status_code == 200
    data = response.json()
    assert isinstance(data, list) and len(data) == 1
    item = data[0]
    assert set(item) == API_KEYS
    assert item["text"] == rec.text  # JSON is not a spreadsheet: text as written
    assert item["totals"] == {
        "voters": 12,
        "agree": 10,
        "neutral": 1,
        "disagree": 1,
        "priority": 2,
        "shares": {"agree": 0.8333, "neutral": 0.0833, "disagree": 0.0833},
    }
    assert item["by_sector"]["gemeente"] == {
        "enough_votes": True,
        "voters": 5,
        "agree": 4,
        "neutral": 1,
        "disagree": 0,
        "priority": 2,
        "shares": {"agree": 0.8, "neutral": 0.2, "disagree": 0.0},
    }
    assert item["by_sector"]["kennis"] == {
        "enough_votes": False,
        "voters": None,
        "agree": None,
        "neutral": None,
        "disagree": None,
        "priority": None,
        "shares": None,
    }
    assert set(item["by_sector"]) == {code for code, _label in User._meta.get_field("sector").choices}
    assert item["consensus"]["label"] == "broadly_supported"
    assert item["consensus"]["label_text"] == "Breed gedragen"
    assert item["consensus"]["score"] == 0.6901


def test_api_publishes_open_topics_only_after_own_vote(client, open_topic, voters):
    rec = RecommendationFactory(topic=open_topic)
    voters(rec, {"gemeente": (3, 0, 0)})
    item = client.get("/api/topics/open/results/").json()[0]
    assert item["visible"] is False
    assert item["totals"] is item["by_sector"] is item["consensus"] is None
    participant = ParticipantFactory()
    Vote.objects.create(participant=participant, recommendation=rec, choice="disagree")
    publish_baseline()
    client.force_login(participant)
    assert client.get("/api/topics/open/results/").json()[0]["totals"]["disagree"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/topics/bestaat-niet/results/",
        "/onderwerpen/bestaat-niet/resultaten/",
        "/en/onderwerpen/bestaat-niet/resultaten/",
        "/onderwerpen/bestaat-niet/resultaten.csv",
        "/onderwerpen/bestaat-niet/resultaten/1/",
    ],
)
def test_unknown_slugs_are_404(client, path):
    assert client.get(path).status_code == 404


def test_unknown_recommendation_is_404(client, closed_topic):
    other = RecommendationFactory()
    unpublished = RecommendationFactory(topic=closed_topic, is_published=False)
    assert client.get(f"/onderwerpen/gesloten/resultaten/{other.pk}/").status_code == 404
    assert client.get(f"/onderwerpen/gesloten/resultaten/{unpublished.pk}/").status_code == 404


@pytest.mark.parametrize("sort", ["support", "priority", "consensus", "divisive", "onzin", "", "%00", "'; DROP"])
def test_any_sort_key_renders(client, closed_topic, voters, sort):
    rec = RecommendationFactory(topic=closed_topic)
    voters(rec, {"gemeente": (3, 0, 0)})
    response = client.get("/onderwerpen/gesloten/resultaten/", {"sort": sort})
    assert response.status_code == 200
    assert response.context["results"].sort == (sort if sort in Sort.LABELS else "support")


def test_topic_page_hides_results_until_voted(client, open_topic, voters):
    seen, unseen = (
        RecommendationFactory(topic=open_topic, text="Gezien advies"),
        RecommendationFactory(topic=open_topic, text="Verborgen advies"),
    )
    voters(seen, {"gemeente": (3, 0, 0)})
    voters(unseen, {"gemeente": (3, 0, 0)})
    participant = ParticipantFactory()
    Vote.objects.create(participant=participant, recommendation=seen, choice="agree")
    client.force_login(participant)
    page = client.get("/onderwerpen/open/resultaten/").content.decode()
    assert f'id="result-{seen.pk}"' in page
    assert f'id="result-{unseen.pk}"' not in page
    assert "Resultaten die u nog niet ziet" in page
    chart = client.get(f"/onderwerpen/open/resultaten/{unseen.pk}/").content.decode()
    assert "<svg" not in chart and "Geef uw mening" in chart
    csv_rows = _csv(client.get("/onderwerpen/open/resultaten.csv"))
    assert {row["recommendation_id"] for row in csv_rows} == {str(seen.pk)}


def test_chart_page_has_svg_and_data_table(client, closed_topic, voters):
    rec = RecommendationFactory(topic=closed_topic)
    voters(rec, {"gemeente": (4, 1, 0), "bedrijfsleven": (3, 0, 1), "kennis": (1, 0, 0)})
    page = client.get(f"/onderwerpen/gesloten/resultaten/{rec.pk}/").content.decode()
    assert '<svg class="results-chart__svg"' in page and 'role="img"' in page
    assert "te weinig stemmen" in page
    assert 'class="visually-hidden"' in page
    assert "style=" not in page and "<style" not in page  # the CSP forbids inline styles
    assert "80% · 20% · 0%" in page  # gemeente


def test_csv_matches_the_api_and_is_neutralised(client, closed_topic, voters):
    rec = RecommendationFactory(topic=closed_topic, text="=1+1 is geen formule")
    voters(rec, {"gemeente": (4, 1, 0), "bedrijfsleven": (3, 0, 1), "kennis": (1, 0, 0)})
    response = client.get("/onderwerpen/gesloten/resultaten.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0]["recommendation"] == "'=1+1 is geen formule"
    api = client.get("/api/topics/gesloten/results/").json()[0]
    by_group = {row["group"]: row for row in rows}
    assert by_group["total"]["agree"] == str(api["totals"]["agree"])
    for code, figures in api["by_sector"].items():
        row = by_group[code]
        assert row["voters"] == ("" if figures["voters"] is None else str(figures["voters"]))
        assert row["share_agree"] == ("" if figures["shares"] is None else str(figures["shares"]["agree"]))
    assert by_group["total"]["consensus_score"] == str(api["consensus"]["score"])
    assert by_group["total"]["consensus_label"] == api["consensus"]["label"]


def test_overview_page_and_csv(client, nmp_content, voters):
    topic = nmp_content.first()
    topic.opens_at, topic.closes_at = timezone.now() - timedelta(days=9), timezone.now() - timedelta(days=1)
    topic.save()
    rec = topic.recommendations.first()
    voters(rec, {"gemeente": (6, 0, 0), "bedrijfsleven": (5, 0, 0), "kennis": (1, 0, 0), "": (3, 0, 0)})
    response = client.get("/resultaten/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Deelname per sector" in page and "Meeste overeenstemming tussen sectoren" in page
    assert response.context["overview"].participants_total == 14
    participation = {g.code: g.voters for g in response.context["overview"].participation}
    assert participation["gemeente"] == 6 and participation["bedrijfsleven"] == 5 and participation["kennis"] is None
    assert rec.text[:20] in page
    rows = _csv(client.get("/resultaten.csv"))
    assert {row["topic"] for row in rows} == {topic.slug}  # only the closed topic is public
    assert client.get("/en/resultaten/").status_code == 200


def _make_votes(topic, n_votes):
    recs = [RecommendationFactory(topic=topic) for _ in range(4)]
    per_rec = n_votes // len(recs)
    sectors = ["gemeente", "bedrijfsleven", "natuur_milieu", "kennis", ""]
    users = User.objects.bulk_create(
        [User(email=f"massa{topic.pk}-{i}@example.org", sector=sectors[i % len(sectors)]) for i in range(per_rec)]
    )
    choices = ["agree", "neutral", "disagree"]
    Vote.objects.bulk_create(
        [
            Vote(participant=user, recommendation=rec, choice=choices[(i + j) % 3])
            for j, rec in enumerate(recs)
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    publish_baseline()
    assert Vote.objects.filter(recommendation__topic=topic).count() == n_votes


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n_votes", [12, 20_000])
def test_query_count_does_not_depend_on_votes(client, closed_topic, n_votes, django_assert_num_queries):
    from django.core.cache import cache

    _make_votes(closed_topic, n_votes)
    rec = closed_topic.recommendations.first()
    # Rendered afresh (nothing cached): topic, recommendations, published positions GROUP BY; pages: the
    # header's sign-up mode. The overview adds participation. Then from the page cache: no query at all.
    for path, fresh in [
        ("/onderwerpen/gesloten/resultaten/", 4),
        ("/api/topics/gesloten/results/", 3),
        (f"/onderwerpen/gesloten/resultaten/{rec.pk}/", 4),
        ("/onderwerpen/gesloten/resultaten.csv", 3),
        ("/resultaten/", 5),
    ]:
        cache.clear()
        forget_signup_mode()  # kept per worker for a few seconds: cold too
        with django_assert_num_queries(fresh):
            client.get(path)
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 200
    # Another page over the same figures reads them from the cache, not from the published positions.
    cache.clear()
    forget_signup_mode()  # kept per worker for a few seconds: cold too
    client.get("/onderwerpen/gesloten/resultaten/")
    with django_assert_num_queries(2):  # topic, recommendations
        client.get("/api/topics/gesloten/results/")


def test_query_count_for_a_participant_is_flat(client, open_topic):
    _make_votes(open_topic, 400)
    participant = ParticipantFactory()
    Vote.objects.create(participant=participant, recommendation=open_topic.recommendations.first(), choice="agree")
    client.force_login(participant)
    client.get("/")  # the session's first request stamps its start; later ones within a minute do not write
    small = _count(client, "/onderwerpen/open/resultaten/")
    _make_votes(TopicFactory(), 4000)
    assert _count(client, "/onderwerpen/open/resultaten/") == small
    cold = _count(client, "/resultaten/")  # the figures are computed and kept for the next reader
    assert _count(client, "/resultaten/") == _count(client, "/resultaten/") == cold - 1


def test_moderator_sees_open_topic_results(client, open_topic, voters):
    rec = RecommendationFactory(topic=open_topic)
    voters(rec, {"gemeente": (3, 0, 0)})
    client.force_login(ModeratorFactory())
    assert client.get("/api/topics/open/results/").json()[0]["visible"] is True


def test_page_shows_the_selectors_figures(client, closed_topic, voters):
    rec = RecommendationFactory(topic=closed_topic)
    voters(rec, {"gemeente": (4, 1, 0), "bedrijfsleven": (3, 0, 1)}, priorities={"bedrijfsleven": 3})
    api = client.get("/api/topics/gesloten/results/").json()[0]
    page = client.get("/onderwerpen/gesloten/resultaten/").content.decode()
    totals = api["totals"]
    for choice in ("agree", "neutral", "disagree"):
        pct = round(totals["shares"][choice] * 100)
        assert f'{totals[choice]} <span class="results-table__pct">({pct}%)</span>' in page
    assert f'<td class="results-table__num">{totals["priority"]}</td>' in page
    assert f"{api['consensus']['score']:.2f}".replace(".", ",") in page
    chart = client.get(f"/onderwerpen/gesloten/resultaten/{rec.pk}/").content.decode()
    for code in ("gemeente", "bedrijfsleven"):
        shares = api["by_sector"][code]["shares"]
        figures = " · ".join(f"{round(shares[c] * 100)}%" for c in ("agree", "neutral", "disagree"))
        assert figures in chart
