from playwright.sync_api import expect

from tests.factories import ParticipantFactory


def test_login_fixture_gives_a_logged_in_browser(page, login, content):
    user = login(page, ParticipantFactory())
    page.goto("/account/email/")
    expect(page.get_by_text(user.email).first).to_be_visible()
