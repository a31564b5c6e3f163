from playwright.sync_api import expect

from tests.factories import ParticipantFactory


def test_login_fixture_gives_a_logged_in_browser(page, login, content):
    user = login(page, ParticipantFactory())
    page.goto("/account/email/")
    # With ACCOUNT_CHANGE_EMAIL the page shows the address in a read-only field.
    expect(page.locator("#current_email")).to_have_value(user.email)
