"""The organiser's admin: roster import with preview, sending, progress, attendee list, adding users."""

import io

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from invitations import services
from invitations.models import Invitation
from tests.auth import staff_mfa_login
from tests.factories import InvitationFactory, OrganiserFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

HEADER = "name,email,organisation,sector,note,language\n"
# Queries of the admin lists: permissions (rules + groups), count, the page (participation as Exists
# subqueries; counts per state as one aggregate), the event filter (the session and the user come from the
# cache).
PINNED_ROSTER, PINNED_EVENTS = 7, 6


@pytest.fixture
def organiser(client):
    user = OrganiserFactory()
    staff_mfa_login(client, user)
    return user


def upload(client, event, text, name="genodigden.csv"):
    file = SimpleUploadedFile(name, (HEADER + text).encode("utf-8"), content_type="text/csv")
    return client.post(f"/admin/invitations/event/{event.pk}/import/", {"file": file})


def test_import_preview_shows_errors_imports_nothing_then_the_fixed_file_goes_in(client, organiser, event):
    response = upload(client, event, "Anna,anna@example.org,RIVM,kennis,,\nBram,bram-at-example,,,,\n")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 nieuwe genodigde" in html and "1 rij met fouten" in html
    assert "“bram-at-example” is geen geldig e-mailadres." in html
    assert "<td>3</td>" in html  # the line number in the file
    assert ">Importeer<" not in html  # only "import the valid rows" while there are errors
    assert "Importeer alleen de goede rijen" in html
    client.post(f"/admin/invitations/event/{event.pk}/import/", {"confirm": "1"})
    assert not Invitation.objects.exists()

    upload(client, event, "Anna,anna@example.org,RIVM,kennis,,\nBram,bram@example.org,,,,\n")
    response = client.post(f"/admin/invitations/event/{event.pk}/import/", {"confirm": "1"}, follow=True)
    assert "Geïmporteerd: 2 nieuw" in response.content.decode()
    assert sorted(Invitation.objects.values_list("email", flat=True)) == ["anna@example.org", "bram@example.org"]
    assert set(Invitation.objects.values_list("invited_by", flat=True)) == {organiser.pk}


def test_valid_only_is_the_organisers_choice(client, organiser, event):
    upload(client, event, "Anna,anna@example.org,,,,\nBram,bram-at-example,,,,\n")
    client.post(f"/admin/invitations/event/{event.pk}/import/", {"confirm": "1", "valid_only": "1"})
    assert list(Invitation.objects.values_list("email", flat=True)) == ["anna@example.org"]


def test_a_bad_file_is_refused_with_a_message(client, organiser, event):
    file = SimpleUploadedFile("genodigden.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post(f"/admin/invitations/event/{event.pk}/import/", {"file": file})
    assert "Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx)." in response.content.decode()


def test_send_action_reports_how_many_are_queued(client, organiser, event):
    first, second = InvitationFactory(event=event), InvitationFactory(event=event)
    data = {"action": "send_invitations", "_selected_action": [first.pk, second.pk]}
    response = client.post("/admin/invitations/invitation/", data, follow=True)
    assert "2 uitnodigingen staan klaar en gaan nu weg." in response.content.decode()
    assert set(Invitation.objects.values_list("state", flat=True)) == {"queued"}


def test_sending_from_the_event_page_queues_each_invitee_once(
    client, organiser, event, django_capture_on_commit_callbacks
):
    InvitationFactory(event=event)
    InvitationFactory(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/invitations/event/{event.pk}/send/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/invitations/event/{event.pk}/send/", follow=True)
    assert "0 uitnodigingen staan klaar" in response.content.decode()
    assert len(mail.outbox) == 2
    page = client.get(f"/admin/invitations/event/{event.pk}/change/").content.decode()
    assert 'data-state="sent">2<' in page and "100% van 2 uitnodigingen" in page
    assert 'src="/static/js/invitations_admin.js"' in page


def test_resend_sends_a_new_mail_only_to_the_selected(
    client, organiser, event, send, django_capture_on_commit_callbacks
):
    first, _second = InvitationFactory(event=event), InvitationFactory(event=event)
    send(event)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/invitations/invitation/", {"action": "resend_invitations", "_selected_action": [first.pk]})
    assert [m.to[0] for m in mail.outbox] == [first.email]


def test_progress_fragment_counts_per_state(client, organiser, event):
    InvitationFactory(event=event)
    InvitationFactory(event=event, state="queued")
    InvitationFactory(event=event, state="accepted")
    html = client.get(f"/admin/invitations/event/{event.pk}/progress/").content.decode()
    assert 'data-state="concept">1<' in html and 'data-state="queued">1<' in html
    assert 'data-state="accepted">1<' in html and 'data-busy="1"' in html
    assert "<script" not in html


def test_attendee_list_with_needs_and_participation_as_csv_and_xlsx(client, organiser, event):
    from feedback.models import Comment, Vote
    from tests.factories import RecommendationFactory, TopicFactory

    voter = ParticipantFactory()
    recommendation = RecommendationFactory(topic=TopicFactory())
    Vote.objects.create(participant=voter, recommendation=recommendation, choice="agree")
    InvitationFactory(event=event, name="=cmd|' /C calc'!A0", state="accepted", needs="Rolstoel", user=voter)
    InvitationFactory(event=event, name="Wacht Even", state="waiting", waiting_since="2026-01-01T10:00Z")
    InvitationFactory(event=event, name="Niet Komen", state="declined")
    csv = client.get(f"/admin/invitations/event/{event.pk}/attendees.csv")
    text = csv.content.decode()
    assert csv["Content-Type"].startswith("text/csv")
    assert "Rolstoel" in text and "Wacht Even" in text and "Niet Komen" not in text
    assert "'=cmd" in text
    lines = text.splitlines()
    assert lines[0] == "name,email,organisation,sector,state,needs,answered_at,voted,commented"
    assert lines[1].endswith(",yes,no")
    assert Comment.objects.count() == 0
    xlsx = client.get(f"/admin/invitations/event/{event.pk}/attendees.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]][:5] == ["name", "email", "organisation", "sector", "state"]
    assert sheet.max_row == 3


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_roster_and_event_lists_cost_the_same_queries_for_few_and_many(client, organiser, event):
    from tests.factories import EventFactory

    InvitationFactory(event=event, user=ParticipantFactory())
    client.get("/admin/invitations/invitation/")  # warm up the session and content types
    small = _queries(client, "/admin/invitations/invitation/"), _queries(client, "/admin/invitations/event/")
    for _ in range(40):
        InvitationFactory(event=event, user=ParticipantFactory(), state="accepted")
    for _ in range(5):
        InvitationFactory(event=EventFactory(), state="sent")
    large = _queries(client, "/admin/invitations/invitation/"), _queries(client, "/admin/invitations/event/")
    assert small == large
    assert small == (PINNED_ROSTER, PINNED_EVENTS)


def test_add_users_from_the_user_list_with_filters(client, organiser, event):
    opted_in = ParticipantFactory(notify_updates=True, sector="provincie", organisation="Provincie Utrecht")
    ParticipantFactory(notify_updates=False, sector="provincie", organisation="Provincie Utrecht")
    ParticipantFactory(notify_updates=True, sector="gemeente", organisation="Gemeente Utrecht")
    from participants.models import User

    ids = list(User.objects.values_list("pk", flat=True))
    page = client.post("/admin/participants/user/", {"action": "invite_users", "_selected_action": ids})
    assert "Zet op de lijst van genodigden" in page.content.decode()
    client.post(
        "/admin/participants/user/",
        {
            "action": "invite_users",
            "_selected_action": ids,
            "apply": "1",
            "event": event.pk,
            "opted_in": "on",
            "sector": "provincie",
            "organisation": "utrecht",
        },
    )
    assert list(Invitation.objects.values_list("email", flat=True)) == [opted_in.email]
    assert Invitation.objects.get().state == "concept"


def test_a_moderator_has_no_invitations_admin(client, event):
    from tests.factories import ModeratorFactory

    staff_mfa_login(client, ModeratorFactory())
    assert client.get("/admin/invitations/invitation/").status_code == 403
    assert client.get(f"/admin/invitations/event/{event.pk}/import/").status_code == 403
    assert client.get(f"/admin/invitations/event/{event.pk}/attendees.csv").status_code == 403


def test_the_service_and_the_admin_agree_on_counts(event):
    InvitationFactory(event=event, state="sent", sent_at="2026-01-01T10:00Z")
    assert services.event_counts(event=event)["sent"] == 1
