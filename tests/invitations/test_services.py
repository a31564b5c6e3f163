"""Sending through the mail queue, answers with capacity and waiting list, reminders, the calendar file."""

import hashlib
from datetime import timedelta
from unittest import mock

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from post_office.models import STATUS, Email

from invitations import services
from invitations.models import Invitation
from tests.factories import EventFactory, InvitationFactory, ParticipantFactory

from .conftest import token_from

pytestmark = pytest.mark.django_db


def test_send_delivers_one_personal_mail_per_invitee_in_their_language(event, send):
    dutch = InvitationFactory(event=event, language="nl", note="Fijn als u er weer bij bent.")
    english = InvitationFactory(event=event, language="en")
    assert send(event) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([dutch.email, english.email])
    by_address = {m.to[0]: m for m in mail.outbox}
    nl, en = by_address[dutch.email], by_address[english.email]
    assert nl.subject == f"[NMP Participatie] Uitnodiging: {event.title}"
    assert "Fijn als u er weer bij bent." in nl.body
    assert en.subject == f"[NMP Participatie] Invitation: {event.title}"
    assert "/en/uitnodiging/" in en.body and "/en/" not in nl.body
    assert nl.body.startswith("Beste ")
    assert nl.alternatives[0][1] == "text/html" and 'lang="nl"' in nl.alternatives[0][0]
    assert token_from(nl) != token_from(en)
    assert token_from(nl) in nl.alternatives[0][0]
    for invitation in (dutch, english):
        invitation.refresh_from_db()
        assert invitation.state == "sent" and invitation.sent_at is not None


def test_only_the_hash_of_the_token_is_stored(event, send):
    invitation = InvitationFactory(event=event)
    send(event)
    token = token_from(mail.outbox[0])
    invitation.refresh_from_db()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert invitation.token_nonce and invitation.token_nonce not in token


def test_sending_twice_sends_nothing_more(event, send):
    InvitationFactory(event=event)
    assert send(event) == 1
    assert send(event) == 0
    assert len(mail.outbox) == 1
    assert Email.objects.count() == 1


def test_the_mail_task_is_safe_to_run_twice(event, send):
    invitation = InvitationFactory(event=event)
    send(event)
    assert services.invitation_mail_queue(invitation_id=invitation.pk) is None
    assert Email.objects.count() == 1


def test_resend_only_for_selected_invitees_and_the_old_link_stops_working(event, send):
    first, second = InvitationFactory(event=event), InvitationFactory(event=event)
    send(event)
    old = {m.to[0]: token_from(m) for m in mail.outbox}
    mail.outbox.clear()
    assert send(event, invitations=[first], resend=True) == 1
    assert [m.to[0] for m in mail.outbox] == [first.email]
    new = token_from(mail.outbox[0])
    assert services.invitation_by_token(old[first.email]) is None
    assert services.invitation_by_token(new).pk == first.pk
    assert services.invitation_by_token(old[second.email]).pk == second.pk


def test_resend_leaves_answered_invitees_alone(invited, send):
    (invitation, _token), *_ = invited
    services.rsvp_answer(invitation=invitation, attending=False)
    mail.outbox.clear()
    assert send(invitation.event, invitations=[invitation], resend=True) == 0
    assert mail.outbox == []


def test_sending_after_the_deadline_is_refused(send):
    event = EventFactory(rsvp_deadline=timezone.now() - timedelta(minutes=1))
    InvitationFactory(event=event)
    with pytest.raises(ValidationError, match="De datum om te antwoorden is voorbij"):
        send(event)


def test_broker_down_keeps_invitations_queued_and_the_pickup_sends_them(event, django_capture_on_commit_callbacks):
    InvitationFactory(event=event)
    InvitationFactory(event=event)
    refused = mock.patch("invitations.tasks.send_invitation_mails.apply_async", side_effect=OSError("refused"))
    with refused, django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_send(event=event) == 2
    assert set(Invitation.objects.values_list("state", flat=True)) == {"queued"}
    assert mail.outbox == [] and not Email.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_pickup() == 2
    services.invitations_delivery_sync()
    assert len(mail.outbox) == 2
    assert set(Invitation.objects.values_list("state", flat=True)) == {"sent"}


def test_a_mail_that_fails_for_good_marks_the_invitation_failed(event, send):
    invitation = InvitationFactory(event=event)
    with mock.patch("invitations.tasks.send_invitation_mails.apply_async", side_effect=OSError):
        send(event)
    services.invitation_mail_queue(invitation_id=invitation.pk)
    Email.objects.update(status=STATUS.failed)
    services.invitations_delivery_sync(event=event)
    invitation.refresh_from_db()
    assert invitation.state == "failed" and invitation.failed_at is not None


def test_yes_gives_a_place_and_a_confirmation_with_a_calendar_file(invited, settings):
    (invitation, _token), *_ = invited
    answered = services.rsvp_answer(invitation=invitation, attending=True, needs="Rolstoelplek")
    assert (answered.state, answered.needs) == ("accepted", "Rolstoelplek")
    (message,) = mail.outbox
    assert message.to == [invitation.email]
    assert message.subject == f"[NMP Participatie] U heeft een plaats: {invitation.event.title}"
    (name, content, mimetype) = message.attachments[0]
    assert name == f"{invitation.event.slug}.ics" and mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(content)
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["UID"]
    assert vevent.decoded("DTSTART") == invitation.event.starts_at.replace(microsecond=0)
    assert str(vevent.decoded("DTSTART").tzinfo) == "Europe/Amsterdam"
    assert str(vevent.decoded("DTEND").tzinfo) == "Europe/Amsterdam"
    assert vevent.decoded("DTEND") == invitation.event.ends_at.replace(microsecond=0)
    assert "Rijnstraat 8" in str(vevent["LOCATION"])
    assert str(vevent["URL"]) == f"{settings.SITE_URL}/bijeenkomsten/{invitation.event.slug}/"


def test_beyond_capacity_yes_goes_on_the_waiting_list_and_a_freed_place_goes_to_the_first(invited):
    (a, _), (b, _), (c, _) = invited  # capacity 2
    services.rsvp_answer(invitation=a, attending=True)
    services.rsvp_answer(invitation=b, attending=True)
    waiting = services.rsvp_answer(invitation=c, attending=True)
    assert waiting.state == "waiting" and waiting.waiting_since is not None
    assert mail.outbox[-1].subject.startswith("[NMP Participatie] U staat op de wachtlijst")
    mail.outbox.clear()

    services.rsvp_answer(invitation=a, attending=False)
    assert Invitation.objects.get(pk=a.pk).state == "declined"
    assert Invitation.objects.get(pk=c.pk).state == "accepted"
    assert [m.to[0] for m in mail.outbox] == [c.email]
    assert "wachtlijst" in mail.outbox[0].body and mail.outbox[0].attachments


def test_an_answer_can_change_until_the_deadline(invited):
    (invitation, _), *_ = invited
    services.rsvp_answer(invitation=invitation, attending=False)
    assert services.rsvp_answer(invitation=invitation, attending=True).state == "accepted"
    assert services.rsvp_answer(invitation=invitation, attending=True, needs="Halal").needs == "Halal"
    assert sum(1 for m in mail.outbox if m.attachments) == 1  # one confirmation, not one per change
    event = invitation.event
    event.rsvp_deadline = timezone.now() - timedelta(seconds=1)
    event.save()
    with pytest.raises(ValidationError, match="De datum om te antwoorden is voorbij"):
        services.rsvp_answer(invitation=Invitation.objects.get(pk=invitation.pk), attending=False)


def test_the_answer_is_recorded_on_the_account_with_the_invitees_address(invited):
    (invitation, _), *_ = invited
    account = ParticipantFactory(email=invitation.email.upper())
    answered = services.rsvp_answer(invitation=invitation, attending=True)
    assert answered.user == account


def test_another_logged_in_account_cannot_answer(invited):
    (invitation, _), *_ = invited
    other = ParticipantFactory()
    with pytest.raises(PermissionDenied):
        services.rsvp_answer(invitation=invitation, attending=True, user=other)
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"


def test_more_places_move_the_waiting_list_up(invited):
    (a, _), (b, _), (c, _) = invited
    for invitation in (a, b, c):
        services.rsvp_answer(invitation=invitation, attending=True)
    services.event_capacity_update(event=a.event, capacity=3)
    assert Invitation.objects.get(pk=c.pk).state == "accepted"


def test_unknown_tampered_and_expired_tokens_find_nothing(invited):
    (invitation, token), *_ = invited
    assert services.invitation_by_token(token).pk == invitation.pk
    assert services.invitation_by_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert services.invitation_by_token("") is None
    assert services.invitation_by_token("x" * 500) is None
    event = invitation.event
    event.rsvp_deadline = timezone.now() - timedelta(seconds=1)
    event.save()
    assert services.invitation_by_token(token) is None


def test_reminder_goes_once_and_only_to_those_who_did_not_answer(invited, settings):
    (a, _), (b, _), (c, first_link) = invited
    services.rsvp_answer(invitation=a, attending=True)
    services.rsvp_answer(invitation=b, attending=False)
    mail.outbox.clear()
    deadline = a.event.rsvp_deadline
    too_early = deadline - settings.INVITATIONS_REMINDER_BEFORE_DEADLINE - timedelta(hours=1)
    assert services.reminders_send(now=too_early) == 0
    due = deadline - settings.INVITATIONS_REMINDER_BEFORE_DEADLINE + timedelta(hours=1)
    assert services.reminders_send(now=due) == 1
    assert services.reminders_send(now=due) == 0
    assert [m.to[0] for m in mail.outbox] == [c.email]
    assert mail.outbox[0].subject.startswith("[NMP Participatie] Herinnering")
    assert services.invitation_by_token(token_from(mail.outbox[0])).pk == c.pk
    assert token_from(mail.outbox[0]) == first_link  # the same link: the invitation's still works


def test_practical_information_goes_once_to_those_with_a_place(invited, settings):
    (a, _), (b, _), _c = invited
    services.rsvp_answer(invitation=a, attending=True)
    services.rsvp_answer(invitation=b, attending=False)
    mail.outbox.clear()
    due = a.event.starts_at - settings.INVITATIONS_PRACTICAL_BEFORE_EVENT + timedelta(hours=1)
    assert services.practical_information_send(now=due) == 1
    assert services.practical_information_send(now=due) == 0
    assert [m.to[0] for m in mail.outbox] == [a.email]


def test_unanswered_invitations_expire_after_the_deadline(invited):
    (a, _), (b, _), _c = invited
    services.rsvp_answer(invitation=a, attending=True)
    event = a.event
    event.rsvp_deadline = timezone.now() - timedelta(seconds=1)
    event.save()
    assert services.invitations_expire() == 2
    assert Invitation.objects.get(pk=a.pk).state == "accepted"
    assert Invitation.objects.get(pk=b.pk).state == "expired"


def test_event_dates_must_be_in_order():
    start = timezone.now() + timedelta(days=10)
    common = {"slug": "x", "title": "X", "capacity": 10, "location": "Den Haag"}
    with pytest.raises(ValidationError):
        services.event_create(starts_at=start, ends_at=start - timedelta(hours=1), rsvp_deadline=start, **common)
    with pytest.raises(ValidationError):
        services.event_create(
            starts_at=start, ends_at=start + timedelta(hours=1), rsvp_deadline=start + timedelta(hours=1), **common
        )


def test_adding_users_skips_people_already_on_the_roster(event):
    on_roster = ParticipantFactory()
    InvitationFactory(event=event, email=on_roster.email.upper())
    newcomer = ParticipantFactory(language="en")
    assert services.invitations_add_users(event=event, users=[on_roster, newcomer]) == 1
    invitation = Invitation.objects.get(email=newcomer.email)
    assert (invitation.state, invitation.user, invitation.language) == ("concept", newcomer, "en")


def test_every_invitation_mail_reads_as_the_portals(invited, settings, send):
    from tests.nmp_portal.test_mail_texts import _assert_portal_mail

    (a, _), (b, _), (c, _) = invited
    settings.SITE_URL = "http://127.0.0.1:8101"
    send(a.event, invitations=[a], resend=True)  # the invitation
    services.rsvp_answer(invitation=a, attending=True)  # confirmation
    services.rsvp_answer(invitation=b, attending=True)  # waiting list (capacity 2, one place left: take it)
    services.rsvp_answer(invitation=c, attending=True)  # the waiting list
    Invitation.objects.filter(pk=c.pk).update(state="sent")  # one who has not answered yet, for the reminder
    services.reminders_send(now=c.event.rsvp_deadline - timedelta(hours=1))  # reminder
    services.practical_information_send(now=a.event.starts_at - timedelta(hours=1))  # practical information (a, b)
    subjects = sorted({m.subject.split(":")[0] for m in mail.outbox})
    assert subjects == [
        "[NMP Participatie] Herinnering",
        "[NMP Participatie] Praktische informatie",
        "[NMP Participatie] U heeft een plaats",
        "[NMP Participatie] U staat op de wachtlijst",
        "[NMP Participatie] Uitnodiging",
    ]
    for message in mail.outbox:
        _assert_portal_mail(message)
        html = message.alternatives[0][0]
        assert "Dit is een bericht van NMP Participatie." in html and 'lang="nl"' in html
