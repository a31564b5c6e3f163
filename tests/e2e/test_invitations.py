"""Invitations in the browser: the organiser's import and send, the invitee's link, account and answer."""

import re
from datetime import timedelta

import icalendar
import pytest
from django.conf import settings
from playwright.sync_api import expect

from invitations import services
from invitations.models import Invitation
from tests.e2e.axe import assert_accessible
from tests.factories import EventFactory, InvitationFactory, OrganiserFactory, ParticipantFactory

LINK = re.compile(r"https?://[^\s\"<>]+/uitnodiging/[A-Za-z0-9_\-]+/")
PASSWORD = "een-heel-lang-wachtwoord-77"


def _mails_to(address):
    from post_office.models import Email

    return list(Email.objects.filter(to__icontains=address).order_by("id"))


def _link(address, base_url):
    """The personal link in the newest mail to ``address``, on the live server."""
    for email in reversed(_mails_to(address)):
        match = LINK.search(email.message or "")
        if match:
            return base_url + "/" + match.group(0).split("/", 3)[3]
    raise AssertionError(f"No invitation link mailed to {address}")


def _send(event):
    services.invitations_send(event=event)  # autocommit: the mails are made and delivered at once (eager)
    services.invitations_delivery_sync(event=event)


@pytest.fixture
def event(transactional_db):
    return EventFactory(title="Najaarsbijeenkomst NMP", capacity=1)


def test_organiser_imports_a_csv_with_errors_fixes_it_and_sends(page, login, event, tmp_path):
    login(page, OrganiserFactory())
    page.goto(f"/admin/invitations/event/{event.pk}/change/")
    assert_accessible(page)
    page.get_by_role("link", name="Genodigden importeren").click()
    assert_accessible(page)

    header = "name,email,organisation,sector,note,language\n"
    bad = tmp_path / "genodigden.csv"
    bad.write_text(header + "Anna de Boer,anna@example.org,RIVM,kennis,,nl\nBram,bram-at-example,,,,\n")
    page.locator("#id_file").set_input_files(str(bad))
    page.get_by_role("button", name="Toon voorbeeld").click()
    rows = page.locator("#import-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("3")
    expect(rows.nth(1)).to_contain_text("“bram-at-example” is geen geldig e-mailadres.")
    expect(page.get_by_role("button", name="Importeer", exact=True)).to_have_count(0)
    assert_accessible(page)

    good = tmp_path / "genodigden-verbeterd.csv"
    good.write_text(
        header + "Anna de Boer,anna@example.org,RIVM,kennis,,nl\nBram Visser,bram@example.org,,Gemeente,,en\n",
        encoding="cp1252",
    )
    page.get_by_role("link", name="Kies een ander bestand").click()
    page.locator("#id_file").set_input_files(str(good))
    page.get_by_role("button", name="Toon voorbeeld").click()
    expect(page.locator("#import-summary")).to_contain_text("2 nieuwe genodigden")
    page.get_by_role("button", name="Importeer", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Geïmporteerd: 2 nieuw")

    page.goto(f"/admin/invitations/event/{event.pk}/change/")
    page.get_by_role("button", name="Verstuur uitnodigingen").click()
    expect(page.locator(".messagelist")).to_contain_text("2 uitnodigingen staan klaar en gaan nu weg.")
    expect(page.locator('[data-state="sent"]')).to_have_text("2")
    assert sorted(i.state for i in Invitation.objects.filter(event=event)) == ["sent", "sent"]
    assert len(_mails_to("anna@example.org")) == 1 and len(_mails_to("bram@example.org")) == 1
    english = _mails_to("bram@example.org")[0]
    assert (
        english.subject == "[NMP Participatie] Invitation: Najaarsbijeenkomst NMP"
        and "/en/uitnodiging/" in english.message
    )

    # A second click sends nobody anything more.
    page.goto(f"/admin/invitations/event/{event.pk}/change/")
    expect(page.get_by_role("button", name="Verstuur uitnodigingen")).to_have_count(0)


def test_invitee_creates_an_account_by_invitation_only_answers_yes_and_gets_the_calendar_file(page, live_server, event):
    from participants.models import PortalSettings, User

    PortalSettings.objects.update_or_create(pk=1, defaults={"signup_mode": "invitation_only"})
    InvitationFactory(event=event, name="Sanne van Dijk", email="sanne@example.org", organisation="Waterschap Vallei",
                      sector="waterschap")  # fmt: skip
    _send(event)

    page.goto("/")
    expect(page.get_by_role("link", name="Alleen op uitnodiging")).to_be_visible()
    expect(page.get_by_role("link", name="Account aanmaken")).to_have_count(0)
    page.get_by_role("link", name="Alleen op uitnodiging").click()
    expect(page.locator("h1")).to_have_text("Aanmelden alleen met een uitnodiging")

    page.goto(_link("sanne@example.org", live_server.url))
    expect(page.locator("h1")).to_have_text("Najaarsbijeenkomst NMP")
    assert_accessible(page)
    page.get_by_role("link", name="Maak een account met deze uitnodiging").click()
    expect(page.locator("#id_email")).to_have_value("sanne@example.org")
    expect(page.locator("#id_first_name")).to_have_value("Sanne")
    expect(page.locator("#id_last_name")).to_have_value("van Dijk")
    expect(page.locator("#id_organisation")).to_have_value("Waterschap Vallei")
    expect(page.locator("#id_sector")).to_have_value("waterschap")
    assert_accessible(page)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("Ik heb de privacyverklaring gelezen").check()
    page.get_by_role("button", name="Account aanmaken").click()

    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()  # verified by the link: logged in at once
    page.get_by_label("Ja").check()
    page.get_by_label("Wensen voor toegankelijkheid of eten").fill("Vegetarisch")
    page.get_by_role("button", name="Verstuur mijn antwoord").click()
    expect(page.get_by_text("Dank u wel. U heeft een plaats. We hebben u een bevestiging gemaild.")).to_be_visible()
    expect(page.get_by_text("U heeft een plaats. We zien u graag.")).to_be_visible()
    assert_accessible(page)

    user = User.objects.get(email="sanne@example.org")
    invitation = Invitation.objects.get(email="sanne@example.org")
    assert (invitation.state, invitation.user, invitation.needs) == ("accepted", user, "Vegetarisch")
    confirmation = _mails_to("sanne@example.org")[-1]
    assert confirmation.subject == "[NMP Participatie] U heeft een plaats: Najaarsbijeenkomst NMP"
    (attachment,) = confirmation.attachments.all()
    (vevent,) = icalendar.Calendar.from_ical(attachment.file.read()).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Najaarsbijeenkomst NMP"
    assert str(vevent.decoded("DTSTART").tzinfo) == "Europe/Amsterdam"
    assert str(vevent["URL"]).endswith(f"/bijeenkomsten/{event.slug}/")

    page.goto("/")
    expect(page.locator(".event-announcement")).to_contain_text("u heeft een plaats")
    page.get_by_role("link", name="Naar de bijeenkomst").click()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Zet in uw agenda (.ics)").first.click()
    (downloaded,) = icalendar.Calendar.from_ical(open(download.value.path(), "rb").read()).walk("VEVENT")  # noqa: SIM115
    assert downloaded["UID"] == vevent["UID"]


def test_capacity_waiting_list_and_the_freed_place(browser, live_server, event):
    first = InvitationFactory(event=event, email="eerst@example.org")
    second = InvitationFactory(event=event, email="later@example.org")
    _send(event)
    pages = {}
    for invitation in (first, second):
        context = browser.new_context(base_url=live_server.url, locale="nl-NL")
        pages[invitation.email] = context.new_page()
        pages[invitation.email].goto(_link(invitation.email, live_server.url))

    for address in ("eerst@example.org", "later@example.org"):
        page = pages[address]
        page.get_by_label("Ja").check()
        page.get_by_role("button", name="Verstuur mijn antwoord").click()
    expect(pages["later@example.org"].locator(".alert-info").first).to_contain_text("wachtlijst")
    assert_accessible(pages["later@example.org"])
    assert Invitation.objects.get(pk=second.pk).state == "waiting"

    page = pages["eerst@example.org"]
    page.get_by_label("Nee").check()
    page.get_by_role("button", name="Verstuur mijn antwoord").click()
    expect(page.get_by_text("Dank u wel dat u laat weten dat u niet komt.")).to_be_visible()
    assert Invitation.objects.get(pk=second.pk).state == "accepted"
    promoted = _mails_to("later@example.org")[-1]
    assert (
        promoted.subject == "[NMP Participatie] U heeft een plaats: Najaarsbijeenkomst NMP"
        and "wachtlijst" in promoted.message
    )
    pages["later@example.org"].reload()
    expect(pages["later@example.org"].get_by_text("U heeft een plaats. We zien u graag.")).to_be_visible()
    for p in pages.values():
        p.context.close()


def test_the_reminder_goes_only_to_those_who_did_not_answer(page, live_server, event):
    event.capacity = 10
    event.save()
    answered, declined, silent = (
        InvitationFactory(event=event, email=f"{n}@example.org") for n in ("ja", "nee", "stil")
    )
    _send(event)
    for invitation, label in ((answered, "Ja"), (declined, "Nee")):
        page.goto(_link(invitation.email, live_server.url))
        page.get_by_label(label, exact=True).check()
        page.get_by_role("button", name="Verstuur mijn antwoord").click()
        expect(page.get_by_text("Dank u wel")).to_be_visible()

    due = event.rsvp_deadline - settings.INVITATIONS_REMINDER_BEFORE_DEADLINE + timedelta(hours=1)
    assert services.reminders_send(now=due) == 1
    assert services.reminders_send(now=due) == 0
    reminders = [
        m
        for a in ("ja", "nee", "stil")
        for m in _mails_to(f"{a}@example.org")
        if m.subject.startswith("[NMP Participatie] Herinnering")
    ]
    assert [m.to for m in reminders] == [["stil@example.org"]]
    page.goto(_link("stil@example.org", live_server.url))
    page.get_by_label("Ja").check()
    page.get_by_role("button", name="Verstuur mijn antwoord").click()
    assert Invitation.objects.get(pk=silent.pk).state == "accepted"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_invitation_page_is_accessible(page, login, live_server, event, language):
    prefix = "" if language == "nl" else "/en"
    InvitationFactory(event=event, email="genodigde@example.org")
    _send(event)
    link = _link("genodigde@example.org", live_server.url).replace(live_server.url, "")
    for url in (link, link + "account/", "/uitnodiging/ongeldig/", f"/bijeenkomsten/{event.slug}/"):
        page.goto(prefix + url)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)
    login(page, ParticipantFactory())
    page.goto(prefix + link)
    expect(page.locator("h1")).to_have_text(
        "Deze uitnodiging is voor iemand anders" if language == "nl" else "This invitation is for someone else"
    )
    assert_accessible(page)
    page.goto(prefix + f"/bijeenkomsten/{event.slug}/")
    assert_accessible(page)
    event.open_to_participants = True  # the registration form for participants without an invitation
    event.save()
    page.goto(prefix + f"/bijeenkomsten/{event.slug}/")
    expect(page.locator("form.invitation-answer")).to_have_count(1)
    assert_accessible(page)
    page.goto(prefix + "/")
    expect(page.locator(".event-announcement")).to_have_count(1)
    assert_accessible(page)
