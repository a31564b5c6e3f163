"""Browser tests for participant accounts: the whole life of an account, staff MFA, and axe on every page."""

import io
import json
import re
import time

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from participants.models import User
from participants.roles import roles_sync
from tests.e2e.axe import assert_accessible
from tests.factories import ModeratorFactory, ParticipantFactory

PASSWORD = "een-heel-lang-wachtwoord-77"
NEW_PASSWORD = "nog-een-veel-langer-wachtwoord-88"


def _mail_link(address, path_part):
    """The newest link containing ``path_part`` in a mail to ``address``, read from the post_office queue."""
    from post_office.models import Email

    for _attempt in range(50):
        for email in Email.objects.filter(to__icontains=address).order_by("-id"):
            match = re.search(r"https?://[^\s\"<>]+" + re.escape(path_part) + r"[^\s\"<>]*", email.message or "")
            if match:
                return match.group(0)
        time.sleep(0.1)
    raise AssertionError(f"No mail to {address} with a link containing {path_part}")


def _log_in(page, email, password):
    page.goto("/account/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def _log_out(page):
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()


def test_account_life_sign_up_verify_log_in_profile_reset_download_delete(page, content):
    address = "fatima@example.org"
    # Sign up.
    page.goto("/")
    page.get_by_role("link", name="Account aanmaken").click()
    assert_accessible(page)
    page.locator("#id_email").fill(address)
    page.locator("#id_first_name").fill("Fatima")
    page.locator("#id_last_name").fill("El Amrani")
    page.locator("#id_organisation").fill("Provincie Utrecht")
    page.locator("#id_sector").select_option("provincie")
    # Only the sector shows unless you choose otherwise.
    expect(page.get_by_label("Alleen mijn sector")).to_be_checked()
    page.get_by_label("Mijn naam en organisatie").check()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("Ik heb de privacyverklaring gelezen").check()
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", name="Bevestig uw e-mailadres")).to_be_visible()
    assert_accessible(page)

    # Verify through the link in the mail.
    page.goto(_mail_link(address, "/account/confirm-email/"))
    assert_accessible(page)
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_text("U heeft fatima@example.org bevestigd.")).to_be_visible()
    _log_out(page)

    # Log in.
    _log_in(page, address, PASSWORD)
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    # Edit the profile.
    page.get_by_role("link", name="Mijn profiel").click()
    expect(page.locator("#public-name-preview")).to_contain_text("Fatima El Amrani (Provincie Utrecht)")
    assert_accessible(page)
    page.locator("#id_organisation").fill("Provincie Gelderland")
    page.get_by_label("Alleen mijn sector").check()
    page.get_by_role("button", name="Profiel opslaan").click()
    expect(page.get_by_text("Uw profiel is opgeslagen.")).to_be_visible()
    expect(page.locator("#public-name-preview")).to_contain_text("Deelnemer van een provincie")
    _log_out(page)

    # Reset the password.
    page.goto("/account/login/")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    assert_accessible(page)
    page.locator("#id_email").fill(address)
    page.get_by_role("button", name="Stuur mij een link").click()
    expect(page.get_by_text("We hebben u een e-mail gestuurd.")).to_be_visible()
    page.goto(_mail_link(address, "/account/password/reset/key/"))
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    assert_accessible(page)
    page.get_by_role("button", name="Wachtwoord veranderen").click()
    expect(page.get_by_text("U kunt nu inloggen met uw nieuwe wachtwoord.")).to_be_visible()
    _log_in(page, address, NEW_PASSWORD)
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    # Download my data.
    page.goto("/profiel/mijn-gegevens/")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download mijn gegevens").click()
    data = json.loads(open(download_info.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert data["profile"]["email"] == address
    assert data["profile"]["organisation"] == "Provincie Gelderland"

    # Delete the account: allauth asks for the password again first.
    page.get_by_role("link", name="Verwijder mijn account").click()
    expect(page.get_by_role("heading", name="Bevestig dat u het bent")).to_be_visible()
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", name="Verwijder mijn account")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Verwijder ook mijn stemmen").check()
    page.get_by_label("Ik begrijp dat mijn account voorgoed wordt verwijderd").check()
    page.get_by_role("button", name="Verwijder mijn account voorgoed").click()
    expect(page.get_by_text("Uw account is verwijderd.")).to_be_visible()
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()
    _log_in(page, address, NEW_PASSWORD)
    expect(page.get_by_text("Het e-mailadres of het wachtwoord klopt niet.")).to_be_visible()


def test_deleting_asks_for_the_password_again(page, login, content):
    user = login(page, ParticipantFactory())
    page.goto("/profiel/verwijderen/")
    expect(page.get_by_role("heading", name="Bevestig dat u het bent")).to_be_visible()
    assert_accessible(page)
    page.locator("#id_password").fill("een-lang-wachtwoord-2026")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", name="Verwijder mijn account")).to_be_visible()
    assert user.email


def test_sign_up_works_without_javascript(browser, live_server, content):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    page.goto("/account/signup/")
    page.locator("#id_email").fill("zonderjs@example.org")
    page.locator("#id_first_name").fill("Kees")
    page.locator("#id_last_name").fill("Jansen")
    page.locator("#id_sector").select_option("bewoner")
    page.get_by_label("Op persoonlijke titel").check()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("Ik heb de privacyverklaring gelezen").check()
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", name="Bevestig uw e-mailadres")).to_be_visible()
    context.close()


def _totp(secret, offset=0):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time() + offset) // 30))


def test_staff_sets_up_totp_and_is_refused_the_admin_without_it(page, content, settings, tmp_path):
    # One period of tolerance, so the login code (next period) differs from the activation code.
    settings.MFA_TOTP_TOLERANCE = 1
    # Earlier browser tests flush the database: make the staff groups again as the data migration does.
    roles_sync()
    # Made the way the README tells: manage.py create_staff you@example.org --role moderator --password-file ...
    password_file = tmp_path / "password"
    password_file.write_text("een-lang-wachtwoord-2026\n")
    call_command(
        "create_staff",
        "moderator@example.org",
        "--role",
        "moderator",
        "--password-file",
        str(password_file),
        stdout=io.StringIO(),
    )
    moderator = User.objects.get(email="moderator@example.org")
    _log_in(page, moderator.email, "een-lang-wachtwoord-2026")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Twee-stapsverificatie nodig")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Stel twee-stapsverificatie in").first.click()
    expect(page.get_by_role("heading", name="Bevestig dat u het bent")).to_be_visible()
    page.locator("#id_password").fill("een-lang-wachtwoord-2026")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", name="Authenticator-app aanzetten")).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code uit de app").fill(_totp(secret))
    page.get_by_role("button", name="Aanzetten").click()
    expect(
        page.get_by_text("Ongebruikte codes").or_(page.get_by_text("De authenticator-app staat aan.")).first
    ).to_be_visible()

    # Set up, but not used to log in this session: log out and in again with a code.
    page.goto("/admin/")
    expect(page.get_by_text("u heeft die deze keer niet gebruikt")).to_be_visible()
    page.get_by_role("button", name="Log uit en log opnieuw in").click()
    page.locator("#id_login").fill(moderator.email)
    page.locator("#id_password").fill("een-lang-wachtwoord-2026")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("Vul de code uit uw authenticator-app in")).to_be_visible()
    assert_accessible(page)
    page.locator("#id_code").fill(_totp(secret, offset=30))
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Wat aandacht nodig heeft", level=1)).to_be_visible()
    # What a moderator needs is there: comments to moderate and participants to block.
    expect(page.locator("a[href='/admin/feedback/comment/']").first).to_be_visible()
    expect(page.locator("a[href='/admin/participants/user/']").first).to_be_visible()
    page.goto("/admin/feedback/comment/")
    expect(page.locator("h1")).to_have_count(1)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_account_pages_are_accessible(page, login, content, language, settings):
    from participants.models import PortalSettings

    prefix = "" if language == "nl" else "/en"
    anonymous = [
        "/account/login/",
        "/account/signup/",
        "/account/password/reset/",
        "/account/login/code/",
        "/account/confirm-email/ongeldig/",
        "/account/password/reset/key/1-ongeldig/",
    ]
    for url in anonymous:
        page.goto(prefix + url)
        assert_accessible(page)

    portal = PortalSettings.load()
    portal.signup_mode = PortalSettings.SignupMode.INVITATION_ONLY
    portal.invitation_only_message = "Vraag een uitnodiging aan."
    portal.save()
    page.goto(prefix + "/account/signup/")
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)

    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "1/m/ip"}
    for _attempt in range(2):
        page.goto(prefix + "/account/password/reset/")
        page.locator("#id_email").fill("x@example.org")
        page.locator("form.account-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Te veel pogingen" if language == "nl" else "Too many attempts")
    assert_accessible(page)

    user = login(page, ParticipantFactory(is_blocked=True, blocked_reason="Reclame"))
    logged_in = [
        "/profiel/",
        "/profiel/mijn-gegevens/",
        "/profiel/verwijderen/",  # the password prompt
        "/account/email/",
        "/account/password/change/",
        "/account/2fa/",
        "/account/sessions/",
        "/account/logout/",
    ]
    for url in logged_in:
        page.goto(prefix + url)
        assert_accessible(page)
    assert user.is_blocked

    moderator = ModeratorFactory()
    page.context.clear_cookies()
    login(page, moderator)
    page.goto(prefix + "/admin/")
    assert_accessible(page)


def _submit(page):
    page.locator("form.account-form button[type=submit]").first.click()


def _visit_accessible(page, url, password="een-lang-wachtwoord-2026"):
    """Open ``url`` and check it with axe; when allauth first asks for the password again, check that page too."""
    page.goto(url)
    if "/reauthenticate/" in page.url and "/reauthenticate/" not in url:
        assert_accessible(page)
        page.locator("#id_password").fill(password)
        _submit(page)
        page.wait_for_url(re.compile(re.escape(url.split("?")[0]) + r"(\?.*)?$"))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("header.site-header, .site-header").first).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_other_account_pages_are_accessible(page, content, language):
    """The pages the flows above pass only in Dutch, or not at all: links from mails, codes, two-step verification."""
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    prefix = "" if language == "nl" else "/en"
    for url in [
        "/account/password/reset/done/",
        "/account/password/reset/key/done/",
        "/account/confirm-email/",
        "/account/inactive/",
    ]:
        _visit_accessible(page, prefix + url)

    # The links in the verification and reset mails, while they are valid.
    unverified = ParticipantFactory(verified=False)
    address = EmailAddress.objects.create(user=unverified, email=unverified.email, verified=False, primary=True)
    _visit_accessible(page, f"{prefix}/account/confirm-email/{EmailConfirmationHMAC(address).key}/")
    participant = ParticipantFactory()
    token = default_token_generator.make_token(participant)
    page.goto(f"{prefix}/account/password/reset/key/{user_pk_to_url_str(participant)}-{token}/")
    expect(page.locator("#id_password1")).to_be_visible()
    assert_accessible(page)

    # Log in by code: the page asking for the code.
    page.goto(prefix + "/account/login/code/")
    page.locator("#id_email").fill(participant.email)
    _submit(page)
    expect(page.locator("#id_code")).to_be_visible()
    assert_accessible(page)
    page.context.clear_cookies()

    # Two-step verification of a participant who set it up: the code at login, the overview,
    # recovery codes, turning it off, and confirming with a code instead of the password.
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(participant, secret)
    RecoveryCodes.activate(participant)
    page.goto(prefix + "/account/login/")
    page.locator("#id_login").fill(participant.email)
    page.locator("#id_password").fill("een-lang-wachtwoord-2026")
    _submit(page)
    expect(page.locator("#id_code")).to_be_visible()
    assert_accessible(page)
    page.locator("#id_code").fill(_totp(secret))
    _submit(page)
    expect(page.locator("form[action$='/account/logout/'], .site-header form").first).to_be_attached()
    for url in [
        "/account/2fa/",
        "/account/2fa/recovery-codes/",
        "/account/2fa/recovery-codes/generate/",
        "/account/2fa/totp/deactivate/",
        "/account/2fa/reauthenticate/",
    ]:
        _visit_accessible(page, prefix + url)
    page.context.clear_cookies()

    # A participant without it: switching the authenticator app on; an address waiting for confirmation.
    other = ParticipantFactory()
    EmailAddress.objects.create(user=other, email="tweede@example.org", verified=False, primary=False)
    page.goto(prefix + "/account/login/")
    page.locator("#id_login").fill(other.email)
    page.locator("#id_password").fill("een-lang-wachtwoord-2026")
    _submit(page)
    page.wait_for_url(re.compile(r"/(en/)?$"))
    _visit_accessible(page, prefix + "/account/email/")
    _visit_accessible(page, prefix + "/account/2fa/totp/activate/")
