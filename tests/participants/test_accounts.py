import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from participants.middleware import LAST_ACTIVITY_KEY, STARTED_KEY
from participants.models import User
from participants.services import user_block
from tests.auth import staff_mfa_login
from tests.factories import ModeratorFactory, OrganiserFactory, ParticipantFactory


@pytest.mark.django_db
def test_profile_edit_changes_details_display_and_language(client):
    user = ParticipantFactory(first_name="Piet", last_name="Bakker", organisation="Gemeente Ede", sector="gemeente")
    client.force_login(user)
    page = client.get(reverse("participants:profile")).content.decode()
    assert "Piet Bakker (Gemeente Ede)" in page
    response = client.post(
        reverse("participants:profile"),
        {
            "first_name": "Piet",
            "last_name": "Bakker",
            "organisation": "VNO-NCW",
            "sector": "bedrijfsleven",
            "participates_as": "organisation",
            "display_mode": "sector_only",
            "notify_replies": "",
            "notify_updates": "on",
            "language": "en",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/en/profiel/"
    user.refresh_from_db()
    assert (user.organisation, user.sector, user.display_mode, user.language) == (
        "VNO-NCW",
        "bedrijfsleven",
        "sector_only",
        "en",
    )
    assert user.notify_replies is False and user.notify_updates is True
    page = client.get("/profiel/").content.decode()
    assert "Deelnemer uit het bedrijfsleven" in page


@pytest.mark.django_db
def test_profile_with_bad_input_keeps_what_was_typed(client):
    user = ParticipantFactory()
    client.force_login(user)
    response = client.post(reverse("participants:profile"), {"first_name": "Nieuw", "sector": "nope", "language": "nl"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Nieuw"' in body
    user.refresh_from_db()
    assert user.first_name == "Anne"


@pytest.mark.django_db
def test_profile_page_query_count_is_fixed(client, django_assert_num_queries):
    user = ParticipantFactory()
    client.force_login(user)
    client.get(reverse("participants:profile"))
    # contribution counts (one aggregate); the session and the user come from the cache
    with django_assert_num_queries(1):
        client.get(reverse("participants:profile"))


@pytest.mark.django_db
def test_login_lands_in_the_participants_language(client):
    ParticipantFactory(email="en@example.org", language="en")
    response = client.post("/account/login/", {"login": "en@example.org", "password": "een-lang-wachtwoord-2026"})
    assert response.status_code == 302 and response["Location"] == "/en/"


@pytest.mark.django_db
def test_idle_session_ends_with_a_polite_message(client):
    user = ParticipantFactory()
    client.force_login(user)
    client.get(reverse("participants:profile"))
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("participants:profile"), follow=True)
    assert "U was 30 minuten niet actief. Log opnieuw in." in response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/account/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_session_ends_after_twelve_hours_even_when_active(client):
    user = ParticipantFactory()
    client.force_login(user)
    client.get("/")
    session = client.session
    session[STARTED_KEY] = time.time() - 12 * 3600 - 5
    session.save()
    response = client.get("/", follow=True)
    assert "U was 12 uur ingelogd" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_active_session_stays(client):
    user = ParticipantFactory()
    client.force_login(user)
    client.get("/")
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - 29 * 60
    session.save()
    client.get("/")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_login_rotates_the_session_id(client):
    ParticipantFactory(email="rot@example.org")
    client.get("/account/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/account/login/", {"login": "rot@example.org", "password": "een-lang-wachtwoord-2026"})
    assert client.session.session_key != before


@pytest.mark.django_db
def test_failed_logins_are_limited_per_account_with_a_dutch_429_page(client):
    ParticipantFactory(email="doel@example.org")
    for _attempt in range(5):
        response = client.post("/account/login/", {"login": "doel@example.org", "password": "fout-wachtwoord-123"})
        assert response.status_code == 200
    response = client.post("/account/login/", {"login": "doel@example.org", "password": "fout-wachtwoord-123"})
    body = response.content.decode()
    assert response.status_code == 429 and "Te veel pogingen" in body and 'class="site-header"' in body
    # The right password does not get in either while the limit holds.
    response = client.post("/account/login/", {"login": "doel@example.org", "password": "een-lang-wachtwoord-2026"})
    assert response.status_code == 429 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_failed_logins_are_limited_per_ip_whatever_the_address(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip,5/5m/key"}
    for attempt in range(3):
        response = client.post("/account/login/", {"login": f"n{attempt}@example.org", "password": "fout-wachtwoord-1"})
        assert response.status_code == 200
    response = client.post("/account/login/", {"login": "n9@example.org", "password": "fout-wachtwoord-1"})
    assert response.status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action,url,data",
    [
        ("signup", "/account/signup/", {"email": "x@example.org"}),
        ("login", "/account/login/", {"login": "x@example.org", "password": "fout-wachtwoord-1"}),
        ("request_login_code", "/account/login/code/", {"email": "x@example.org"}),
    ],
)
def test_every_account_limit_answers_429_in_dutch_and_english(settings, action, url, data):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, action: "1/m/ip"}
    Client().post(url, data)  # a new visitor each time, from the same address
    response = Client().post(url, data)
    assert response.status_code == 429 and "Te veel pogingen" in response.content.decode()
    response = Client().post("/en" + url, data)
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()


@pytest.mark.django_db
def test_posting_to_the_admin_login_never_logs_in_and_leads_to_allauth(client):
    """Django's own admin login form is never used, so allauth's limits and two-step verification always apply."""
    moderator = ModeratorFactory()
    response = client.post("/admin/login/", {"username": moderator.email, "password": "een-lang-wachtwoord-2026"})
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_too_many_requests_answer_429_with_the_dutch_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "2/m/ip"}
    for _attempt in range(2):
        client.post("/account/password/reset/", {"email": "x@example.org"})
    response = client.post("/account/password/reset/", {"email": "x@example.org"})
    assert response.status_code == 429
    assert "Te veel pogingen" in response.content.decode()


@pytest.mark.django_db
def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


@pytest.mark.django_db
def test_staff_without_an_authenticator_app_is_refused_the_admin_with_instructions(client):
    moderator = ModeratorFactory()
    client.force_login(moderator)
    response = client.get("/admin/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Twee-stapsverificatie nodig" in body
    assert reverse("mfa_activate_totp") in body


@pytest.mark.django_db
def test_staff_with_app_but_not_used_this_session_must_log_in_again(client):
    from allauth.mfa.models import Authenticator

    moderator = ModeratorFactory()
    Authenticator.objects.create(user=moderator, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(moderator)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "Log uit en log opnieuw in" in response.content.decode()


@pytest.mark.django_db
def test_staff_with_mfa_used_enter_the_admin(client):
    staff_mfa_login(client, ModeratorFactory())
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_groups_have_only_the_permissions_they_need():
    moderator = set(Group.objects.get(name="Moderator").permissions.values_list("codename", flat=True))
    organiser = set(Group.objects.get(name="Organisator").permissions.values_list("codename", flat=True))
    assert "block_user" in moderator and "change_comment" in moderator and "view_user" in moderator
    assert not any(code.startswith("delete_") for code in moderator | organiser)
    assert not any(code.startswith("add_") for code in moderator)
    assert "change_user" not in moderator | organiser
    assert organiser == {
        "view_user",
        "view_sectorchange",
        "view_topic",
        "view_portalsettings",
        "change_portalsettings",
        *(f"{action}_{model}" for action in ("view", "add", "change") for model in ("event", "invitation")),
    }


@pytest.mark.django_db
def test_moderator_blocks_with_a_reason_through_the_admin_action(client):
    moderator = ModeratorFactory()
    target = ParticipantFactory()
    staff_mfa_login(client, moderator)
    url = reverse("admin:participants_user_changelist")
    data = {"action": "block_participants", "_selected_action": [target.pk]}
    response = client.post(url, data)
    assert response.status_code == 200 and "Reden" in response.content.decode()
    response = client.post(url, {**data, "confirm": "1", "block-reason": ""})
    assert "Dit veld is verplicht." in response.content.decode()
    target.refresh_from_db()
    assert not target.is_blocked
    response = client.post(url, {**data, "confirm": "1", "block-reason": "Herhaald schelden"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_blocked and target.blocked_reason == "Herhaald schelden" and target.blocked_at


@pytest.mark.django_db
def test_organiser_cannot_block():
    organiser = OrganiserFactory()
    with pytest.raises(Exception, match="moderat"):
        user_block(user=ParticipantFactory(), moderator=organiser, reason="x")


@pytest.mark.django_db
def test_blocked_participant_sees_why(client):
    user = ParticipantFactory()
    user_block(user=user, moderator=ModeratorFactory(), reason="Reclame <b>geplaatst</b>")
    client.force_login(User.objects.get(pk=user.pk))
    body = client.get("/").content.decode()
    assert "U kunt op dit moment niet meedoen." in body
    assert "Reclame &lt;b&gt;geplaatst&lt;/b&gt;" in body
