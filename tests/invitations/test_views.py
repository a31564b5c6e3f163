"""The invitee's pages: the personal link, account creation through it, the event page and the announcement."""

from datetime import timedelta

import icalendar
import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.utils import timezone

from invitations.models import Invitation
from participants.models import PortalSettings, User
from tests.factories import InvitationFactory, ParticipantFactory

from .conftest import LINK

pytestmark = pytest.mark.django_db


def url(token):
    return f"/uitnodiging/{token}/"


def test_the_link_shows_the_event_and_records_yes_with_needs(client, invited):
    (invitation, token), *_ = invited
    response = client.get(url(token))
    html = response.content.decode()
    assert response.status_code == 200
    assert invitation.event.title in html and "Rijnstraat 8" in html and "ringleiding" in html
    assert "Komt u?" in html and "Verstuur mijn antwoord" in html
    response = client.post(url(token), {"attending": "yes", "needs": "Vegetarisch"}, follow=True)
    assert "U heeft een plaats" in response.content.decode()
    invitation.refresh_from_db()
    assert (invitation.state, invitation.needs) == ("accepted", "Vegetarisch")
    assert mail.outbox[-1].attachments


def test_every_bad_link_gets_the_same_page_with_the_contact_address(client, invited, settings):
    (invitation, token), *_ = invited
    tampered = token[:-2] + ("xx" if not token.endswith("xx") else "yy")
    pages = [client.get(url(t)) for t in (tampered, "onbekend", "a" * 300)]
    event = invitation.event
    event.rsvp_deadline = timezone.now() - timedelta(seconds=1)
    event.save()
    pages.append(client.get(url(token)))  # expired
    # The same main content (the header differs only by its per-request form token).
    bodies = {page.content.decode().split("<main", 1)[1].split("</main>", 1)[0] for page in pages}
    assert {page.status_code for page in pages} == {404}
    assert len(bodies) == 1
    assert "Deze link werkt niet" in bodies.pop() and settings.CONTACT_EMAIL in pages[0].content.decode()


def test_opening_links_is_rate_limited(client, settings):
    settings.INVITATIONS_LINK_RATE = 5
    statuses = [client.get(url(f"geraden-{i}")).status_code for i in range(7)]
    assert statuses == [404] * 5 + [429, 429]


def test_opening_links_is_counted_per_client_behind_the_proxy(client, settings):
    settings.INVITATIONS_LINK_RATE = 3
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    guesser = [
        client.get(url(f"geraden-{i}"), HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.1").status_code
        for i in range(5)
    ]
    assert guesser == [404] * 3 + [429, 429]
    # Another person reaching the site through the same proxy is not locked out.
    assert (
        client.get(url("iemand-anders"), HTTP_X_FORWARDED_FOR="198.51.100.9", REMOTE_ADDR="10.0.0.1").status_code == 404
    )


def test_answers_are_rate_limited(client, invited, settings):
    settings.CONTRIBUTION_RATE_LIMITS = {**settings.CONTRIBUTION_RATE_LIMITS, "rsvp": "3/m/user,3/m/ip"}
    (invitation, token), *_ = invited
    account = ParticipantFactory(email=invitation.email)
    client.force_login(account)
    statuses = [client.post(url(token), {"attending": choice}).status_code for choice in ("no", "yes", "no", "yes")]
    assert statuses == [302, 302, 302, 429]
    invitation.refresh_from_db()
    assert invitation.state == "declined"  # the refused fourth answer changed nothing


def test_a_different_logged_in_account_gets_an_explanation_and_no_answer(client, invited):
    (invitation, token), *_ = invited
    client.force_login(ParticipantFactory())
    response = client.get(url(token))
    assert response.status_code == 403
    assert "Deze uitnodiging is voor iemand anders" in response.content.decode()
    response = client.post(url(token), {"attending": "yes"})
    assert response.status_code == 403
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"


def test_the_invitees_own_account_answers_through_the_link(client, invited):
    (invitation, token), *_ = invited
    account = ParticipantFactory(email=invitation.email)
    client.force_login(account)
    client.post(url(token), {"attending": "no"})
    invitation.refresh_from_db()
    assert (invitation.state, invitation.user) == ("declined", account)


def test_an_account_is_created_through_the_link_prefilled_and_verified_even_by_invitation_only(client, invited):
    PortalSettings.objects.update_or_create(pk=1, defaults={"signup_mode": "invitation_only"})
    (invitation, token), *_ = invited
    invitation.name = "Sanne van Dijk"
    invitation.organisation = "Waterschap Vallei"
    invitation.sector = "waterschap"
    invitation.save()
    page = client.get(url(token)).content.decode()
    assert "Maak een account met deze uitnodiging" in page
    form = client.get(f"/uitnodiging/{token}/account/")
    assert form.status_code == 200
    html = form.content.decode()
    assert f'value="{invitation.email}"' in html and "readonly" in html
    assert 'value="Sanne"' in html and 'value="van Dijk"' in html and 'value="Waterschap Vallei"' in html
    assert '<option value="waterschap" selected>' in html
    response = client.post(
        f"/uitnodiging/{token}/account/",
        {
            "email": invitation.email,
            "first_name": "Sanne",
            "last_name": "van Dijk",
            "organisation": "Waterschap Vallei",
            "sector": "waterschap",
            "participates_as": "organisation",
            "display_mode": "name_organisation",
            "password1": "een-lang-wachtwoord-2026",
            "password2": "een-lang-wachtwoord-2026",
            "privacy": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == url(token)
    user = User.objects.get(email=invitation.email)
    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/").wsgi_request.user == user  # logged in at once: no verification mail needed
    client.post(url(token), {"attending": "yes"})
    invitation.refresh_from_db()
    assert (invitation.state, invitation.user) == ("accepted", user)


def test_without_a_link_sign_up_stays_closed_by_invitation_only(client):
    PortalSettings.objects.update_or_create(pk=1, defaults={"signup_mode": "invitation_only"})
    home = client.get("/").content.decode()
    assert "Alleen op uitnodiging" in home and "Account aanmaken" not in home
    page = client.get("/account/signup/").content.decode()
    assert "alleen een account maken met een uitnodiging" in page.lower() or "uitnodiging" in page


def test_the_event_page_lets_the_invitee_answer_and_offers_the_calendar_file(client, invited):
    (invitation, _), *_ = invited
    account = ParticipantFactory(email=invitation.email)
    client.force_login(account)
    event_url = f"/bijeenkomsten/{invitation.event.slug}/"
    assert "Verstuur mijn antwoord" in client.get(event_url).content.decode()
    client.post(event_url, {"attending": "yes", "needs": ""})
    assert Invitation.objects.get(pk=invitation.pk).state == "accepted"
    ics = client.get(f"{event_url}agenda.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    (vevent,) = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == invitation.event.title


def test_someone_not_invited_cannot_answer_on_the_event_page(client, event):
    client.force_login(ParticipantFactory())
    page = client.get(f"/bijeenkomsten/{event.slug}/")
    assert "Deze bijeenkomst is op uitnodiging" in page.content.decode()
    assert client.post(f"/bijeenkomsten/{event.slug}/", {"attending": "yes"}).status_code == 403


def test_home_and_topic_pages_announce_the_event_to_invitees_only(client, invited, nmp_content):
    (invitation, _), *_ = invited
    topic = nmp_content.first()
    client.force_login(ParticipantFactory(email=invitation.email))
    for page in ("/", topic.get_absolute_url()):
        html = client.get(page).content.decode()
        assert "u bent uitgenodigd / meld u aan" in html and f"/bijeenkomsten/{invitation.event.slug}/" in html
    client.force_login(ParticipantFactory())
    assert "u bent uitgenodigd" not in client.get("/").content.decode()


def test_concept_invitations_are_not_announced(client, event):
    invitation = InvitationFactory(event=event)
    client.force_login(ParticipantFactory(email=invitation.email))
    assert "u bent uitgenodigd" not in client.get("/").content.decode()


def test_the_english_link_shows_english(client, event, send):
    InvitationFactory(event=event, language="en")
    send(event)
    link = LINK.search(mail.outbox[0].body).group(0).split("127.0.0.1:8000", 1)[1]
    assert link.startswith("/en/uitnodiging/")
    assert "Will you come?" in client.get(link).content.decode()


def test_an_unverified_account_with_the_invitees_address_sees_no_invitation(client, invited):
    (invitation, _), *_ = invited
    impostor = ParticipantFactory(email=invitation.email, verified=False)
    client.force_login(impostor)
    page = client.get(f"/bijeenkomsten/{invitation.event.slug}/").content.decode()
    assert "Verstuur mijn antwoord" not in page
    assert client.post(f"/bijeenkomsten/{invitation.event.slug}/", {"attending": "yes"}).status_code == 403
    assert "u bent uitgenodigd" not in client.get("/").content.decode()


def test_a_participant_registers_for_an_open_event_without_an_invitation(client, nmp_content):
    from tests.factories import EventFactory

    event = EventFactory(capacity=1, open_to_participants=True)
    participant = ParticipantFactory(language="en")
    client.force_login(participant)
    assert "meld u aan" in client.get("/").content.decode()
    page = client.get(f"/bijeenkomsten/{event.slug}/").content.decode()
    assert "Aanmelden" in page and "Verstuur mijn antwoord" in page
    client.post(f"/bijeenkomsten/{event.slug}/", {"attending": "yes", "needs": "Rolstoel"})
    client.post(f"/bijeenkomsten/{event.slug}/", {"attending": "yes", "needs": "Rolstoel"})  # a second click
    invitation = Invitation.objects.get(event=event)
    assert (invitation.state, invitation.user, invitation.needs, invitation.language) == (
        "accepted",
        participant,
        "Rolstoel",
        "en",
    )
    assert mail.outbox[-1].subject == f"[NMP Participatie] You have a place: {event.title}"

    latecomer = ParticipantFactory()
    client.force_login(latecomer)
    client.post(f"/bijeenkomsten/{event.slug}/", {"attending": "yes"})
    assert Invitation.objects.get(event=event, user=latecomer).state == "waiting"


def test_registration_is_refused_when_the_event_is_closed_or_the_participant_blocked(client):
    from tests.factories import EventFactory

    closed = EventFactory(open_to_participants=False)
    client.force_login(ParticipantFactory())
    assert client.post(f"/bijeenkomsten/{closed.slug}/", {"attending": "yes"}).status_code == 403
    open_event = EventFactory(open_to_participants=True)
    client.force_login(ParticipantFactory(is_blocked=True))
    assert client.post(f"/bijeenkomsten/{open_event.slug}/", {"attending": "yes"}).status_code == 403
    client.logout()
    assert "Log in" in client.get(f"/bijeenkomsten/{open_event.slug}/").content.decode()
    assert not Invitation.objects.exists()


def test_by_invitation_only_the_link_opens_sign_up_for_the_invited_address_only(client, invited):
    PortalSettings.objects.update_or_create(pk=1, defaults={"signup_mode": "invitation_only"})
    (_invitation, token), *_ = invited
    client.get(f"/uitnodiging/{token}/account/")
    response = client.post(
        "/account/signup/",
        {
            "email": "iemand-anders@example.org",
            "first_name": "Iemand",
            "last_name": "Anders",
            "organisation": "X",
            "sector": "gemeente",
            "participates_as": "organisation",
            "display_mode": "name_organisation",
            "password1": "een-lang-wachtwoord-2026",
            "password2": "een-lang-wachtwoord-2026",
            "privacy": "on",
        },
    )
    assert "gebruik het adres waar uw uitnodiging naartoe ging" in response.content.decode()
    assert not User.objects.filter(email="iemand-anders@example.org").exists()


def _answer_shown(html):
    """The radio button that is checked and the needs text of the answer form on a page."""
    import re

    checked = re.findall(r'<input type="radio"[^>]*name="attending" value="(\w+)"[^>]*\bchecked\b', html)
    needs = re.search(r'<textarea name="needs"[^>]*>(.*?)</textarea>', html, re.S).group(1).strip()
    return (checked[0] if checked else None), needs


def test_each_invitee_sees_their_own_answer_although_the_form_is_rendered_once(client, invited):
    """The empty answer form is remembered per worker: every reader still gets their own answer and token."""
    (_, fresh_token), (_, declined_token), (_, accepted_token) = invited
    client.post(url(declined_token), {"attending": "no"})
    client.post(url(accepted_token), {"attending": "yes", "needs": "Rolstoelplek <graag>"})
    pages = {
        name: client.get(url(token)).content.decode()
        for name, token in [
            ("fresh", fresh_token),
            ("declined", declined_token),
            ("accepted", accepted_token),
            ("fresh again", fresh_token),
        ]
    }
    assert _answer_shown(pages["fresh"]) == (None, "")
    assert _answer_shown(pages["declined"]) == ("no", "")
    assert _answer_shown(pages["accepted"]) == ("yes", "Rolstoelplek &lt;graag&gt;")
    assert _answer_shown(pages["fresh again"]) == (None, "")
    # A visitor with another form token gets a token of their own in the remembered form, which is accepted.
    import re

    other = Client(enforce_csrf_checks=True)
    page = other.get(url(fresh_token)).content.decode()
    form = page.split('class="invitation-answer"', 1)[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert "\x00" not in page
    assert other.post(url(fresh_token), {"attending": "yes", "csrfmiddlewaretoken": token}).status_code == 302


def test_a_refused_answer_shows_the_visitors_own_input_and_the_error(client, invited):
    (_, token), *_ = invited
    client.get(url(token))
    response = client.post(url(token), {"needs": "Ringleiding"})  # no "Ja" or "Nee"
    html = response.content.decode()
    assert response.status_code == 200
    assert _answer_shown(html) == (None, "Ringleiding") and "is-invalid" in html
    assert _answer_shown(client.get(url(token)).content.decode()) == (None, "")


def test_an_account_with_the_address_in_other_capitals_is_found(client, invited):
    (invitation, token), *_ = invited
    ParticipantFactory(email=invitation.email.upper())
    page = client.get(url(token)).content.decode()
    assert "Maak een account met deze uitnodiging" not in page


def test_the_link_page_and_the_event_page_cost_the_pinned_queries(client, invited, django_assert_num_queries):
    """Link: the invitation with its event and whether its address has an account (the header's sign-up mode
    is kept per worker for a few seconds). Event page of a logged-in invitee: event, the invitation (the
    session and the account come from the cache)."""
    (invitation, token), *_ = invited
    client.get(url(token))
    with django_assert_num_queries(1):
        assert client.get(url(token)).status_code == 200
    account = ParticipantFactory(email=invitation.email)
    Invitation.objects.filter(pk=invitation.pk).update(user=account)
    client.force_login(account)
    event_url = f"/bijeenkomsten/{invitation.event.slug}/"
    client.get(event_url)
    with django_assert_num_queries(2):
        assert "Verstuur mijn antwoord" in client.get(event_url).content.decode()


def test_the_event_page_finds_the_invitation_linked_to_the_account_first_then_one_to_a_confirmed_address(
    nmp_content,
):
    from invitations.selectors import invitation_for_user
    from tests.factories import EventFactory

    event, other_event = EventFactory(), EventFactory()
    participant = ParticipantFactory(email="Jan.de.Vries@Example.nl")
    by_address = InvitationFactory(event=event, email="jan.de.vries@example.nl")  # another spelling: the same address
    InvitationFactory(event=other_event, email=participant.email)
    assert invitation_for_user(event=event, user=participant).pk == by_address.pk
    linked = InvitationFactory(event=event, email="werk@example.nl", user=participant)
    found = invitation_for_user(event=event, user=participant)
    assert found.pk == linked.pk and found.event is event  # the event the caller has, not read again
    # Neither another account's invitation nor one to an address nobody confirmed.
    stranger = ParticipantFactory(email="iemand@example.nl", verified=False)
    InvitationFactory(event=event, email=stranger.email)
    assert invitation_for_user(event=event, user=stranger) is None
    assert invitation_for_user(event=other_event, user=ParticipantFactory()) is None
