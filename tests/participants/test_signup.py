import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse

from participants.models import PortalSettings, User
from tests.factories import signup_form

SIGNUP = signup_form(email="Nieuw@Example.org")  # an address typed in mixed case


@pytest.mark.django_db(transaction=True)
def test_signup_stores_profile_and_consent_and_sends_verification_mail(client):
    response = client.post("/account/signup/", SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email__iexact="nieuw@example.org")
    assert (user.first_name, user.last_name, user.organisation, user.sector) == (
        "Fatima",
        "El Amrani",
        "Provincie Utrecht",
        "provincie",
    )
    assert user.privacy_accepted_at is not None
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert "Bevestig uw e-mailadres" in mail.outbox[0].subject
    link = re.search(re.escape(settings.SITE_URL) + r"(/account/confirm-email/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link)
    assert page.status_code == 200
    client.post(link)
    assert EmailAddress.objects.get(user=user).verified


@pytest.mark.django_db
def test_signup_without_consent_or_with_a_short_password_keeps_input_and_explains(client):
    data = {**SIGNUP, "privacy": "", "password1": "kort", "password2": "kort"}
    response = client.post("/account/signup/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "U kunt alleen een account aanmaken als u akkoord gaat." in body
    assert "12 tekens" in body
    assert 'value="Provincie Utrecht"' in body
    assert not User.objects.exists()


@pytest.mark.django_db
def test_common_password_is_refused(client):
    response = client.post("/account/signup/", {**SIGNUP, "password1": "password1234", "password2": "password1234"})
    assert response.status_code == 200
    assert not User.objects.exists()


@pytest.mark.django_db
def test_organisation_needed_when_taking_part_on_its_behalf(client):
    response = client.post("/account/signup/", {**SIGNUP, "organisation": ""})
    assert "Vul uw organisatie in" in response.content.decode()
    response = client.post("/account/signup/", {**SIGNUP, "organisation": "", "participates_as": "personal"})
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_signup_with_an_existing_address_answers_the_same(client):
    client.post("/account/signup/", SIGNUP)
    client.logout()
    response = client.post("/account/signup/", {**SIGNUP, "first_name": "Iemand"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_signup_with_a_verified_address_tells_only_its_owner_by_mail(client):
    from tests.factories import ParticipantFactory

    ParticipantFactory(email="nieuw@example.org")
    response = client.post("/account/signup/", SIGNUP)
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nieuw@example.org"]
    assert "U heeft al een account" in mail.outbox[0].subject


@pytest.mark.django_db
def test_html_in_names_is_stored_as_text_and_shown_escaped(client):
    client.post(
        "/account/signup/",
        {**SIGNUP, "first_name": "<script>alert(1)</script>", "organisation": "<b>Bold & Co</b>"},
    )
    user = User.objects.get()
    assert user.first_name == "<script>alert(1)</script>"
    EmailAddress.objects.filter(user=user).update(verified=True)
    client.force_login(user)
    body = client.get(reverse("participants:profile")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in body


@pytest.mark.django_db
def test_invitation_only_closes_signup_and_explains(client):
    portal = PortalSettings.load()
    portal.signup_mode = PortalSettings.SignupMode.INVITATION_ONLY
    portal.invitation_only_message = "Vraag een uitnodiging aan bij uw koepelorganisatie."
    portal.save()
    response = client.get("/account/signup/")
    body = response.content.decode()
    assert "Aanmelden alleen met een uitnodiging" in body
    assert "Vraag een uitnodiging aan bij uw koepelorganisatie." in body
    client.post("/account/signup/", SIGNUP)
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/account/signup/", "/account/login/", "/account/password/reset/"])
def test_account_pages_use_the_site_layout_in_dutch_and_english(client, url):
    nl = client.get(url).content.decode()
    assert 'class="site-header"' in nl and '<html lang="nl">' in nl
    en = client.get("/en" + url).content.decode()
    assert '<html lang="en">' in en


@pytest.mark.django_db
def test_invalid_verification_and_reset_links_explain_the_next_step(client):
    body = client.get("/account/confirm-email/ongeldig/").content.decode()
    assert "Deze link is verlopen of niet geldig" in body
    body = client.get("/account/password/reset/key/1-ongeldig/").content.decode()
    assert "Vraag een nieuwe link aan" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "prefix,next_step",
    [("", "Vraag een nieuwe bevestigingsmail aan"), ("/en", "issue a new email confirmation request")],
)
def test_expired_verification_link_explains_the_next_step(client, settings, prefix, next_step):
    from allauth.account.models import EmailConfirmationHMAC

    from tests.factories import UserFactory

    user = UserFactory()
    address = EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    key = EmailConfirmationHMAC(address).key
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = -1  # every key is too old
    response = client.get(f"{prefix}/account/confirm-email/{key}/")
    body = response.content.decode()
    assert response.status_code == 200 and 'class="site-header"' in body
    assert next_step in body
    client.post(f"{prefix}/account/confirm-email/{key}/")
    assert not EmailAddress.objects.get(pk=address.pk).verified


@pytest.mark.django_db
@pytest.mark.parametrize("prefix,next_step", [("", "Vraag een nieuwe link aan"), ("/en", "new password reset")])
def test_expired_or_used_reset_link_explains_the_next_step(client, settings, prefix, next_step):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    from tests.factories import ParticipantFactory

    user = ParticipantFactory()
    url = f"{prefix}/account/password/reset/key/{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}/"
    settings.PASSWORD_RESET_TIMEOUT = -1  # expired
    response = client.get(url, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and 'class="site-header"' in body and next_step in body
    # Used: the password changed since the link was made.
    settings.PASSWORD_RESET_TIMEOUT = 3600
    token = default_token_generator.make_token(user)
    user.set_password("een-ander-lang-wachtwoord-1")
    user.save()
    response = client.get(f"{prefix}/account/password/reset/key/{user_pk_to_url_str(user)}-{token}/", follow=True)
    assert next_step in response.content.decode()


def test_a_changed_signup_mode_shows_at_once_in_the_header_also_on_kept_pages(client, nmp_content):
    """The mode is kept a few seconds per worker and the home page in the page cache: saving it moves both on."""
    from participants.services import portal_settings_update

    assert "Account aanmaken" in client.get("/").content.decode()
    assert "Account aanmaken" in client.get("/").content.decode()  # now from the page cache
    portal_settings_update(signup_mode=PortalSettings.SignupMode.INVITATION_ONLY, invitation_only_message="")
    html = client.get("/").content.decode()
    assert "Alleen op uitnodiging" in html and "Account aanmaken" not in html
    portal_settings_update(signup_mode=PortalSettings.SignupMode.OPEN)
    assert "Account aanmaken" in client.get("/privacy/").content.decode()
