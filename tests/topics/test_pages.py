"""The public pages show the workshop's content and stay cheap to serve."""

import pytest
from django.urls import reverse

from topics.models import Recommendation, Topic


@pytest.mark.django_db
def test_home_lists_the_ten_topics_in_order_with_counts(client, nmp_content, django_assert_num_queries):
    with django_assert_num_queries(3):  # topics with counts, site texts, the header's sign-up mode
        response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    positions = [html.index(f'href="{t.get_absolute_url()}"') for t in nmp_content]
    assert positions == sorted(positions)
    assert "11 adviezen" in html  # topic 3
    assert "Doe mee aan het NMP" in html


@pytest.mark.django_db
def test_topic_page_shows_every_bullet_verbatim(client, nmp_content, django_assert_num_queries):
    topic = Topic.objects.get(number=3)
    # Nothing cached yet: topic, considerations, recommendations (with their comment counts), general
    # comments count, the header's sign-up mode, the next topic. An anonymous visitor sees no figures while the
    # topic is open.
    with django_assert_num_queries(6):
        response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert topic.title in html
    assert topic.question in html
    for item in [*topic.considerations.all(), *topic.recommendations.all()]:
        assert str(_escape(item.text)) in html
    assert "Overwegende dat" in html
    assert "Adviseren wij" in html


def _escape(text):
    from django.utils.html import escape

    return escape(text)


@pytest.mark.django_db
def test_unpublished_recommendation_is_not_shown(client, nmp_content):
    rec = Recommendation.objects.get(seed_key="4-r-1")
    rec.is_published = False
    rec.save()
    html = client.get(rec.topic.get_absolute_url()).content.decode()
    assert _escape(rec.text) not in html


@pytest.mark.django_db
def test_unknown_topic_gives_styled_404(client, nmp_content):
    response = client.get("/onderwerpen/bestaat-niet/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Pagina niet gevonden" in html
    assert "NMP Participatie" in html


@pytest.mark.django_db
def test_server_error_page_is_friendly_and_without_details(client, settings):
    from django.urls import path

    def boom(request):
        raise RuntimeError("geheime details")

    settings.ROOT_URLCONF = type(
        "urls", (), {"urlpatterns": [path("boom/", boom)], "handler500": "nmp_portal.views.error_500"}
    )
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Er ging iets mis" in html
    assert "geheime details" not in html
    assert "Traceback" not in html


@pytest.mark.django_db
def test_about_page_holds_the_retrospective_texts(client, nmp_content):
    html = client.get(reverse("topics:about")).content.decode()
    assert "Woensdag 26 juni kwamen ruim 60" in html
    assert "In het najaar organiseren we weer een bijeenkomst" in html
    assert "postbusnationaalmilieuprogramma@minienw.nl" in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/contact/", "/privacy/", "/toegankelijkheid/"])
def test_content_pages_exist_in_both_languages(client, path):
    nl = client.get(path)
    assert nl.status_code == 200
    assert 'lang="nl"' in nl.content.decode()
    en = client.get("/en" + path)
    assert en.status_code == 200
    assert 'lang="en"' in en.content.decode()
    assert nl.content != en.content


@pytest.mark.django_db
def test_english_version_and_language_switch_persists(client, nmp_content):
    html = client.get("/en/").content.decode()
    assert "The ten topics" in html
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    # Content stays verbatim Dutch in the English interface.
    html = client.get("/en/onderwerpen/beprijzen/").content.decode()
    assert "We recommend" in html
    assert "Beprijzen een effectief financieel instrument is" in html


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client, nmp_content):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "<script>" not in response.content.decode()
    assert "style=" not in response.content.decode()
