"""Navigation, language switch, error summary, disabled fourth priority, sign-up default, 404 and 403 for developers."""

import gettext
import io
import logging
import re
from pathlib import Path

import allauth
import polib
import pytest
from django.urls import reverse
from django.utils import translation

from feedback import services
from feedback.models import Stance
from nmp_portal.logging import ForbiddenWithoutTraceback
from tests.factories import ParticipantFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("next_url", "language", "expected"),
    [
        ("/en/over/", "nl", "/over/"),
        ("/over/", "en", "/en/over/"),
        ("/", "en", "/en/"),
        ("/en/", "nl", "/"),
        ("/en/resultaten/?sort=x", "nl", "/resultaten/?sort=x"),
        # A page that does not exist still switches language.
        ("/en/onderwerpen/bestaat-niet/", "nl", "/onderwerpen/bestaat-niet/"),
        ("/onderwerpen/bestaat-niet/", "en", "/en/onderwerpen/bestaat-niet/"),
        # Choosing the language you are already in keeps you where you are.
        ("/en/over/", "en", "/en/over/"),
        # Another site is never a destination.
        ("https://example.com/", "en", "/en/"),
    ],
)
def test_language_switch_returns_to_the_same_page_in_the_other_language(client, next_url, language, expected):
    response = client.post(reverse("set_language"), {"next": next_url, "language": language})
    assert response.status_code == 302
    assert response["Location"] == expected
    assert response.cookies["django_language"].value == language


@pytest.mark.django_db
def test_my_contributions_is_in_the_main_navigation_only_when_logged_in(client):
    html = client.get("/").content.decode()
    assert 'href="/mijn-inbreng/"' not in html
    assert 'data-bs-toggle="collapse" data-bs-target="#site-nav-menu"' in html
    client.force_login(ParticipantFactory())
    html = client.get("/").content.decode()
    assert '<a href="/mijn-inbreng/">Mijn inbreng</a>' in html


@pytest.mark.django_db
def test_proposal_message_links_to_my_contributions(client, nmp_content):
    topic = nmp_content.first()
    client.force_login(ParticipantFactory())
    response = client.post(
        reverse("feedback:proposal_create", args=[topic.slug]),
        {"text": "Meer bomen langs wegen", "explanation": "Schaduw"},
        follow=True,
    )
    html = response.content.decode()
    assert 'U ziet de stand van zaken op <a href="/mijn-inbreng/">Mijn inbreng</a>.' in html


@pytest.mark.django_db
def test_failed_signup_shows_an_error_summary_linked_to_the_fields(client):
    html = client.post("/account/signup/", {"email": "geen-adres", "first_name": ""}).content.decode()
    summary = html[html.index('class="error-summary"') : html.index("</ul>", html.index('class="error-summary"'))]
    assert "Er is een probleem" in summary
    assert 'href="#id_email"' in summary and 'href="#id_first_name"' in summary
    assert 'href="#id_display_mode_0"' in summary  # a group of radio buttons: its first button
    assert 'href="#id_privacy"' in summary
    assert 'id="id_email"' in html and 'id="id_first_name"' in html
    assert "data-error-summary" in html and html.count('class="error-summary"') == 1


@pytest.mark.django_db
def test_signup_defaults_to_showing_only_the_sector_and_says_what_each_choice_shows(client):
    html = client.get("/account/signup/").content.decode()
    checked = html[html.index('name="display_mode"') - 200 : html.index('name="display_mode"') + 200]
    assert 'value="sector_only"' in checked and "checked" in checked
    assert "Alleen mijn sector, bijvoorbeeld “Deelnemer uit het bedrijfsleven”" in html
    assert "Mijn naam en organisatie, bijvoorbeeld “Anna de Vries (Gemeente Utrecht)”" in html


@pytest.mark.django_db
def test_fourth_priority_is_disabled_with_the_reason(client, nmp_content):
    topic = next(t for t in nmp_content if t.recommendations.count() >= 4 and t.phase == "open")
    participant = ParticipantFactory()
    recs = list(topic.recommendations.order_by("position")[:4])
    client.force_login(participant)
    reason = "U heeft uw 3 prioriteiten voor dit onderwerp gebruikt. Haal er een weg om deze te kiezen."

    html = client.get(topic.get_absolute_url()).content.decode()
    assert " disabled>" not in html.split(f'id="priority-full-{recs[3].pk}"')[0].rsplit("<button", 1)[1]
    for rec in recs[:3]:
        services.priority_add(participant=participant, recommendation=rec)
    html = client.get(topic.get_absolute_url()).content.decode()
    button = html.split(f'id="priority-full-{recs[3].pk}"')[0].rsplit("<button", 1)[1]
    assert f'aria-describedby="priority-full-{recs[3].pk}" disabled>' in button
    note = html.split(f'id="priority-full-{recs[3].pk}"')[1].split("</span>")[0]
    assert reason in note and "hidden" not in note.split(">")[0]


@pytest.mark.django_db
def test_mistyped_address_shows_the_sites_own_404_page_with_debug_on(client, settings):
    settings.DEBUG = True
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Pagina niet gevonden</h1>" in html and "Django tried these URL patterns" not in html
    response = client.get("/en/onderwerpen/bestaat-niet/")
    assert response.status_code == 404 and "<h1>Page not found</h1>" in response.content.decode()
    api = client.get("/api/bestaat-niet/")
    assert api.status_code == 404 and api["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_refusal_is_logged_once_without_a_traceback(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ForbiddenWithoutTraceback())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.force_login(ParticipantFactory())
        assert client.get(reverse("results:briefing")).status_code == 403
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines == ["Forbidden (Permission denied): /resultaten/briefing/"]


ENGLISH_OVERRIDES = Path(__file__).resolve().parents[2] / "locale_overrides" / "en" / "LC_MESSAGES" / "django.po"


def test_every_english_allauth_override_matches_an_allauth_text():
    shipped = polib.pofile(str(Path(allauth.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    allauth_msgids = {entry.msgid for entry in shipped}
    overrides = polib.pofile(str(ENGLISH_OVERRIDES))
    assert len(overrides) > 0
    assert [entry.msgid for entry in overrides if entry.msgid not in allauth_msgids] == []
    with open(ENGLISH_OVERRIDES.with_suffix(".mo"), "rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    assert all(catalog.gettext(entry.msgid) == entry.msgstr for entry in overrides)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/en/account/login/", "Log in"),
        ("/en/account/signup/", "Create account"),
        ("/en/account/password/reset/", "Password reset"),
        ("/en/account/login/code/", "Send me a sign-in code"),
    ],
)
def test_english_account_pages_use_sentence_case_and_the_sites_words(client, path, title):
    html = client.get(path).content.decode()
    assert re.search(rf"<h1>\s*{title}\s*</h1>", html)
    assert not re.search(r">\s*(Sign In|Sign Up|Sign Out|Password Reset|Request Code|Reset My Password)\s*<", html)


@pytest.mark.django_db
def test_dutch_uses_one_word_per_thing(client, nmp_content):
    topic_url = f"/onderwerpen/{nmp_content.first().slug}/"
    pages = ["/", "/over/", "/privacy/", "/contact/", "/toegankelijkheid/", topic_url]
    for path in pages:
        html = client.get(path).content.decode()
        assert not re.search(r"aanbeveling|bijeenkomst in het najaar|najaarssessie|bijeenkomst van 26 juni", html), path
    assert "Uit de werksessie van 26 juni 2024" in client.get(topic_url).content.decode()
    assert "<h3>De najaarsbijeenkomst</h3>" in client.get("/privacy/").content.decode()
    # A comment's stance in the vote's words.
    with translation.override("nl"):
        assert [label for _, label in Stance.choices] == ["Eens", "Oneens", "Neutraal"]
