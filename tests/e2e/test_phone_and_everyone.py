"""Pages that work on a phone and for everyone: menu, long words, language switch, error summary, axe.

"Every page of the site map" is SITE_MAP below (public pages) plus ACCOUNT_PAGES (logged in), each in
Dutch and English, at 375 px (a phone) and 1280 px (a desktop).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.factories import ParticipantFactory

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
LONG_WORD = "Gezondheidsbeschermingsmaatregelenuitvoeringsprogramma"


def _site_map(topics):
    topic = topics[6]
    recommendation = topic.recommendations.order_by("position").first()
    return [
        "/",
        "/over/",
        topics[0].get_absolute_url(),
        topic.get_absolute_url(),
        f"{topic.get_absolute_url()}adviezen/{recommendation.pk}/",
        "/resultaten/",
        f"{topic.get_absolute_url()}resultaten/",
        "/contact/",
        "/privacy/",
        "/toegankelijkheid/",
        "/zoeken/?q=lucht",
        "/account/login/",
        "/account/signup/",
        "/account/password/reset/",
        "/onderwerpen/bestaat-niet/",
    ]


ACCOUNT_PAGES = [
    "/profiel/",
    "/mijn-inbreng/",
    "/profiel/gevolgde-onderwerpen/",
    "/profiel/mijn-gegevens/",
    "/account/email/",
    "/account/password/change/",
    "/account/2fa/",
    "/account/sessions/",
]


@pytest.fixture
def make_page(new_page):
    return lambda viewport=DESKTOP, javascript=True: new_page(viewport=viewport, javascript=javascript)


def _no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_menu_is_one_row_and_opens_and_closes_with_the_keyboard(make_page, login, content):
    page = make_page(PHONE)
    login(page, ParticipantFactory())
    page.goto("/")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    toggle = nav.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Resultaten")).to_be_hidden()
    # Closed, the menu bar is one row: not much taller than the button itself.
    assert nav.bounding_box()["height"] < toggle.bounding_box()["height"] * 1.8

    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Mijn inbreng")).to_be_visible()
    page.wait_for_selector("#site-nav-menu.collapse.show")  # the opening animation has ended
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Onderwerpen")).to_be_focused()
    assert _no_horizontal_scroll(page)
    toggle.focus()
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Onderwerpen")).to_be_hidden()

    # Open, a link leads on: the participant's own page is in the main menu.
    page.wait_for_selector("#site-nav-menu.collapse:not(.show)", state="hidden")
    toggle.press("Enter")
    nav.get_by_role("link", name="Mijn inbreng").press("Enter")
    expect(page).to_have_url(re.compile(r"/mijn-inbreng/$"))
    expect(page.locator("h1")).to_have_text("Mijn inbreng")

    # The account pages fold their seven links behind one button too, which names the current one.
    page.goto("/account/email/")
    account = page.get_by_role("navigation", name="Uw account")
    account_toggle = account.get_by_role("button", name=re.compile("^Uw account"))
    expect(account_toggle).to_have_text("Uw account: E-mailadres")
    expect(account.get_by_role("link", name="Wachtwoord")).to_be_hidden()
    account_toggle.press("Enter")
    expect(account.get_by_role("link", name="Wachtwoord")).to_be_visible()


def test_desktop_menu_shows_every_link_in_one_row_without_a_button(make_page, login, content):
    page = make_page(DESKTOP)
    login(page, ParticipantFactory())
    page.goto("/profiel/")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    links = nav.get_by_role("link")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1, "the main menu takes more than one row"
    account = page.get_by_role("navigation", name="Uw account")
    expect(account.get_by_role("button")).to_be_hidden()
    expect(account.get_by_role("link", name="Mijn gegevens")).to_be_visible()


def test_menu_without_javascript_is_open(make_page, content):
    page = make_page(PHONE, javascript=False)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    expect(nav.get_by_role("link", name="Resultaten")).to_be_visible()
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()


def test_long_title_hyphenates_without_horizontal_scroll_on_every_page(make_page, login, content):
    topic = content[6]
    topic.title = f"{LONG_WORD} en {LONG_WORD.lower()}"
    topic.save()
    page = make_page(PHONE)
    for path in _site_map(content):
        for prefix in ("", "/en"):
            page.goto(prefix + path)
            assert _no_horizontal_scroll(page), f"{prefix}{path} scrolls sideways at 375 px"
    page.goto(topic.get_absolute_url())
    title = page.locator("h1")
    style = title.evaluate("el => [getComputedStyle(el).hyphens, el.closest('[lang]').lang]")
    assert style == ["auto", "nl"]
    assert title.bounding_box()["width"] <= PHONE["width"]
    # On the English page the Dutch title keeps lang="nl", so it still breaks as Dutch.
    page.goto("/en" + topic.get_absolute_url())
    assert page.locator("h1").evaluate("el => el.closest('[lang]').lang") == "nl"
    login(page, ParticipantFactory())
    for path in ACCOUNT_PAGES:
        page.goto(path)
        assert _no_horizontal_scroll(page), f"{path} scrolls sideways at 375 px"


def _switch(page, label):
    page.locator(".site-header__language").get_by_role("button", name=label).click()


def test_language_switch_returns_to_the_same_page_both_ways_on_every_page(make_page, login, content):
    page = make_page(DESKTOP)
    for path in [*_site_map(content), None, *ACCOUNT_PAGES]:
        if path is None:  # the public pages are done; now the participant's own
            login(page, ParticipantFactory())
            continue
        page.goto(path)
        _switch(page, "English")
        expect(page).to_have_url(re.compile(re.escape("/en" + path) + "$"))
        expect(page.locator("html")).to_have_attribute("lang", "en")
        _switch(page, "Nederlands")
        expect(page).to_have_url(re.compile("[0-9]" + re.escape(path) + "$"))
        expect(page.locator("html")).to_have_attribute("lang", "nl")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_failed_sign_up_shows_the_error_summary_and_moves_focus_to_it(make_page, content, viewport):
    page = make_page(viewport)
    page.goto("/account/signup/")
    # Everything the browser checks itself is right; the server finds the passwords differ.
    page.locator("#id_email").fill("nieuw@example.org")
    page.locator("#id_first_name").fill("Kees")
    page.locator("#id_last_name").fill("Jansen")
    page.locator("#id_sector").select_option("gemeente")
    page.locator("#id_password1").fill("een-heel-lang-wachtwoord-77")
    page.locator("#id_password2").fill("een-ander-lang-wachtwoord-88")
    page.get_by_label("Ik heb de privacyverklaring gelezen").check()
    page.get_by_role("button", name="Account aanmaken").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="Er is een probleem")).to_be_visible()
    assert summary.bounding_box()["y"] < page.locator("#id_email").bounding_box()["y"]
    summary.get_by_role("link", name=re.compile("^Wachtwoord")).click()
    expect(page.locator("#id_password2")).to_be_focused()
    expect(page.locator("#id_password2")).to_be_in_viewport()
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_every_page_passes_axe_logged_in_and_out(make_page, login, content, viewport):
    page = make_page(viewport)
    for path in _site_map(content):
        for prefix in ("", "/en"):
            page.goto(prefix + path)
            assert_accessible(page)
    participant = ParticipantFactory()
    login(page, participant)
    for path in [*_site_map(content)[:5], *ACCOUNT_PAGES]:
        page.goto(path)
        assert_accessible(page)
    # The menu open on a phone, and the form controls' borders: colour contrast is part of axe.
    if viewport == PHONE:
        page.goto("/profiel/")
        page.get_by_role("button", name="Menu").click()
        assert_accessible(page)
    page.goto("/profiel/")
    borders = page.locator("main .form-control, main .form-check-input").evaluate_all(
        "els => els.map(el => getComputedStyle(el).borderTopColor)"
    )
    assert borders and set(borders) <= {"rgb(107, 119, 133)", "rgb(21, 66, 115)"}  # grey, or dark blue when chosen
