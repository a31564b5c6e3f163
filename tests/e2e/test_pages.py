"""Every page of the foundation, in Dutch and English: renders, axe-clean, keyboard usable."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible

PAGES = [
    ("/", "Help mee aan het Nationaal Milieuprogramma", "Help shape the National Environment Programme"),
    ("/over/", "Over het NMP en dit portaal", "About the NMP and this portal"),
    ("/onderwerpen/beprijzen/", "Beprijzen", "Beprijzen"),
    ("/onderwerpen/cumulatie/", "Cumulatie", "Cumulatie"),
    ("/contact/", "Contact", "Contact"),
    ("/privacy/", "Privacyverklaring", "Privacy statement"),
    ("/toegankelijkheid/", "Toegankelijkheidsverklaring", "Accessibility statement"),
    ("/onderwerpen/bestaat-niet/", "Pagina niet gevonden", "Page not found"),
]


@pytest.mark.parametrize(("path", "heading_nl", "heading_en"), PAGES)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_page_renders_and_passes_axe(page, content, path, heading_nl, heading_en, language):
    url = path if language == "nl" else "/en" + path
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_text(heading_nl if language == "nl" else heading_en)
    assert_accessible(page)


def test_topic_page_shows_considerations_and_recommendations(page, content):
    topic = content[6]  # Cumulatie
    page.goto(topic.get_absolute_url())
    considerations = page.locator("#considerations-heading + ul > li")
    recommendations = page.locator("#recommendations-heading + ol > li")
    expect(considerations).to_have_count(topic.considerations.count())
    expect(recommendations).to_have_count(topic.recommendations.count())
    expect(considerations.first).to_have_text(topic.considerations.order_by("position").first().text)
    expect(page.locator(".topic__question")).to_contain_text(topic.question)


def test_keyboard_only_skip_link_topic_and_language(page, content):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Tab from the main content to the first topic and open it with Enter.
    first = content[0]
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == first.title:
            break
    else:
        pytest.fail("The first topic link cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(first.get_absolute_url()) + "$"))
    expect(page.locator("h1")).to_have_text(first.title)

    # Switch to English with the keyboard; the choice sticks on the next page.
    page.goto("/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('lang')") == "en":
            break
    else:
        pytest.fail("The language switch cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Help shape the National Environment Programme")
    page.goto("/en/over/")
    page.get_by_role("link", name="Topics", exact=True).first.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_mobile_width_has_no_horizontal_scroll(browser, live_server, content):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    for path in ["/", content[2].get_absolute_url()]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    context.close()
