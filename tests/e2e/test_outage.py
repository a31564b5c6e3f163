"""What a visitor sees while the database is unreachable (e.g. during a PostgreSQL restart)."""

from unittest import mock

from django.db import OperationalError
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible


def test_database_outage_shows_the_503_page_then_the_site_comes_back(page, content):
    # Patched for every thread, so the live server's requests fail as with a database that went away.
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("server closed the connection")
    ):
        response = page.goto("/onderwerpen/beprijzen/")
        assert response.status == 503
        expect(page.locator("h1")).to_have_text("De website is even niet beschikbaar")
        expect(page.get_by_text("Probeer het over een minuut opnieuw.")).to_be_visible()
        assert_accessible(page)
    page.get_by_role("link", name="Ga naar de startpagina").click()
    expect(page.locator("h1")).to_have_text("Help mee aan het Nationaal Milieuprogramma")
