"""The data download holds every row about the participant; deletion leaves no personal data anywhere."""

import json
import uuid

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.db import models
from django.urls import reverse
from post_office import mail as post_office_mail
from post_office.models import Email

from feedback.models import Comment, Priority, Proposal, Report, Vote
from feedback.notifications import reply_mail_send
from participants.exports import account_export, privacy_section_names, register_exporter, unregister_privacy_section
from participants.services import account_delete
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory

THEIR_REPLY = "Ik deel deze zorg volledig, zeker langs de Maas."


def _everything_about(user):
    """One row of every kind that refers to ``user``."""
    other = ParticipantFactory()
    rec = RecommendationFactory(proposed_by=user)
    topic = rec.topic
    vote = Vote.objects.create(participant=user, recommendation=rec, choice="agree")
    priority = Priority.objects.create(participant=user, recommendation=rec, topic=topic)
    comment = Comment.objects.create(topic=topic, recommendation=rec, author=user, text="Goed advies, doen.")
    others_comment = Comment.objects.create(topic=topic, author=other, text="Een andere mening.", parent=None)
    reply = Comment.objects.create(topic=topic, author=other, text="Eens.", parent=comment)
    report = Report.objects.create(comment=others_comment, reporter=user, reason="spam", explanation="Reclame.")
    proposal = Proposal.objects.create(topic=topic, author=user, text="Meer bomen in de stad.")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "geheim"})
    EmailAddress.objects.create(user=user, email="oud.adres@example.org", verified=True, primary=False)
    UserSession.objects.create(user=user, ip="127.0.0.1", session_key="abc123", user_agent="Firefox")
    post_office_mail.send(recipients=[user.email], sender="noreply@example.org", subject="Hallo", message="Tekst")
    # Reply notifications, sent the real way: one to the participant about a reply by
    # someone else, one to someone else quoting the participant's name and reply.
    reply_to_them = Comment.objects.create(
        topic=topic, author=other, text="Daar ben ik het niet mee eens.", parent=comment
    )
    assert reply_mail_send(thread_id=comment.pk)
    their_reply = Comment.objects.create(
        topic=topic, author=user, text=THEIR_REPLY, parent=others_comment, client_token=uuid.uuid4()
    )
    assert reply_mail_send(thread_id=others_comment.pk)
    return {
        "reply_to_them": reply_to_them,
        "their_reply": their_reply,
        "vote": vote,
        "priority": priority,
        "comment": comment,
        "reply": reply,
        "report": report,
        "proposal": proposal,
        "recommendation": rec,
    }


@pytest.mark.django_db
def test_export_contains_every_row_about_the_participant():
    user = ParticipantFactory(first_name="Joke", last_name="Smit", organisation="Waterschap Aa")
    rows = _everything_about(user)
    data = account_export(user=user)
    assert data["profile"]["email"] == user.email
    assert data["profile"]["organisation"] == "Waterschap Aa"
    assert {e["email"] for e in data["email_addresses"]} == {user.email, "oud.adres@example.org"}
    assert [v["recommendation_id"] for v in data["votes"]] == [rows["vote"].recommendation_id]
    assert [p["recommendation_id"] for p in data["priorities"]] == [rows["priority"].recommendation_id]
    assert [c["id"] for c in data["comments"]] == [rows["comment"].pk, rows["their_reply"].pk]
    assert data["comments"][0]["reply_mail_sent_at"]  # when we mailed them about replies
    assert data["comments"][1]["form_token"] == str(rows["their_reply"].client_token)
    subjects = [m["subject"] for m in data["mails"]]
    assert "Hallo" in subjects and any("reactie" in s for s in subjects)
    assert len(subjects) == 2  # not the mail to the other participant that quotes them
    assert [r["comment_id"] for r in data["reports"]] == [rows["report"].comment_id]
    assert [p["text"] for p in data["proposals"]] == ["Meer bomen in de stad."]
    assert [r["id"] for r in data["recommendations_proposed"]] == [rows["recommendation"].pk]
    assert [a["type"] for a in data["two_step_verification"]] == ["totp"]
    assert "geheim" not in json.dumps(data)
    assert [s["user_agent"] for s in data["sessions"]] == ["Firefox"]
    # Every model with a foreign key to the user is covered by a section.
    json.dumps(data)


@pytest.mark.django_db
def test_export_lists_moderation_actions():
    moderator = ModeratorFactory()
    rec = RecommendationFactory()
    comment = Comment.objects.create(topic=rec.topic, author=ParticipantFactory(), text="x", hidden_by=moderator)
    data = account_export(user=moderator)
    assert data["moderation"]["comments_hidden"][0]["comment_id"] == comment.pk


@pytest.mark.django_db
def test_every_model_referring_to_the_user_is_exported_or_is_account_machinery():
    """A new model with a user foreign key must get an exporter (or be listed here with a reason)."""
    from participants.models import User

    machinery = {
        "auth.permission",
        "admin.logentry",
        "participants.user_groups",
        "participants.user_user_permissions",
        "nmp_portal.staffvisit",  # staff only: when they last opened the admin's start page; goes with the account
    }
    # The published copies of votes behind the results: the votes themselves are
    # exported; the copies hold nothing else and follow the votes at the next
    # publication step (docs/results.md).
    machinery |= {"feedback.publishedposition", "feedback.publishedvoter"}
    covered = {
        "feedback.vote",
        "feedback.priority",
        "participants.sectorchange",
        "feedback.comment",
        "feedback.report",
        "feedback.proposal",
        "feedback.topicfollow",
        "topics.recommendation",
        "topics.textrevision",
        "feedback.auditentry",
        "feedback.officialresponse",
        "feedback.decisionmail",
        "account.emailaddress",
        "mfa.authenticator",
        "usersessions.usersession",
        "invitations.invitation",
    }
    referring = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey | models.OneToOneField) and field.related_model is User:
                referring.add(model._meta.label_lower)
    assert referring - machinery - covered == set()


@pytest.mark.django_db
def test_other_apps_can_add_a_section():
    @register_exporter("test_section")
    def _section(user):
        return {"pk": user.pk}

    try:
        user = ParticipantFactory()
        assert account_export(user=user)["test_section"] == {"pk": user.pk}
    finally:
        unregister_privacy_section("test_section")
    assert "test_section" not in privacy_section_names()


@pytest.mark.django_db
def test_download_is_a_json_attachment(client):
    user = ParticipantFactory()
    client.force_login(user)
    response = client.get(reverse("participants:data_export"))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["profile"]["email"] == user.email


def _personal_values(user):
    return [user.first_name, user.last_name, user.email, user.organisation, "oud.adres@example.org"]


def _find_anywhere(values):
    """Every (model, field) whose text contains one of ``values``: all tables, all text fields."""
    hits = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or field.is_relation:
                continue
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            for value in values:
                lookup = f"{field.attname}__icontains"
                if model._default_manager.filter(**{lookup: value}).exists():
                    hits.append((model._meta.label, field.name, value))
    return hits


@pytest.mark.django_db
@pytest.mark.parametrize("remove_contributions", [False, True])
def test_deletion_leaves_no_personal_data_in_any_table(client, remove_contributions):
    user = ParticipantFactory(first_name="Joke", last_name="Smitsma", organisation="Waterschap Aa en Maas")
    rows = _everything_about(user)
    admin = ModeratorFactory(is_superuser=True)
    LogEntry.objects.log_actions(
        user_id=admin.pk, queryset=[user], action_flag=CHANGE, change_message="Naam Joke Smitsma aangepast"
    )
    client.force_login(user)
    values = _personal_values(user)
    assert _find_anywhere(values)  # the scan finds them before
    quoted = Email.objects.get(to__icontains=rows["reply"].author.email)
    assert "Joke Smitsma (Waterschap Aa en Maas)" in quoted.message and THEIR_REPLY in quoted.message

    account_delete(user=user, remove_contributions=remove_contributions)

    assert _find_anywhere(values) == []
    user.refresh_from_db()
    assert user.deleted_at and not user.is_active and not user.has_usable_password()
    assert user.sector == "gemeente"
    assert str(user.public_name) in ("Verwijderde deelnemer", "Deleted participant")
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not UserSession.objects.filter(user=user).exists()
    assert not any(s.get_decoded().get("_auth_user_id") == str(user.pk) for s in Session.objects.all())
    assert not Email.objects.filter(to__icontains="example.org", subject="Hallo").exists()
    quoted.refresh_from_db()
    assert "Verwijderde deelnemer" in quoted.message and "Verwijderde deelnemer" in quoted.html_message
    assert (THEIR_REPLY in quoted.message) is not remove_contributions
    if remove_contributions:
        assert _find_anywhere([THEIR_REPLY]) == []
    # Replies by others keep their place either way.
    assert Comment.objects.filter(pk=rows["reply"].pk).exists()
    comment = Comment.objects.get(pk=rows["comment"].pk)
    if remove_contributions:
        assert comment.is_deleted and comment.text == ""
        assert not Vote.objects.filter(participant=user).exists()
        assert not Proposal.objects.filter(author=user).exists()
        assert Report.objects.get(pk=rows["report"].pk).explanation == ""
    else:
        assert comment.text == "Goed advies, doen."
        assert Vote.objects.filter(participant=user).count() == 1
        assert Proposal.objects.filter(author=user).count() == 1


@pytest.mark.django_db
def test_deleted_account_cannot_log_in(client):
    user = ParticipantFactory()
    email = user.email
    account_delete(user=user, remove_contributions=False)
    response = client.post("/account/login/", {"login": email, "password": "een-lang-wachtwoord-2026"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_delete_view_asks_for_the_password_first_then_deletes_and_logs_out(client):
    user = ParticipantFactory()
    client.force_login(user)
    response = client.get(reverse("participants:delete_account"))
    assert response.status_code == 302 and "/account/reauthenticate/" in response["Location"]
    response = client.post(response["Location"], {"password": "een-lang-wachtwoord-2026"})
    assert response.status_code == 302
    response = client.get(reverse("participants:delete_account"))
    assert response.status_code == 200
    response = client.post(reverse("participants:delete_account"), {"contributions": "keep"})
    assert "Ik begrijp dat mijn account" in response.content.decode()  # checkbox required, shown again
    response = client.post(reverse("participants:delete_account"), {"contributions": "remove", "confirm": "on"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_deleted
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_mails_of_a_look_alike_address_are_neither_exported_nor_deleted():
    user = ParticipantFactory(email="a@example.org")
    ParticipantFactory(email="ba@example.org")
    for address, subject in [
        ("a@example.org", "Voor A"),
        ("ba@example.org", "Voor BA"),
        ("Aa <A@Example.org>", "Ook A"),
    ]:
        post_office_mail.send(recipients=[address], sender="noreply@example.org", subject=subject, message="Tekst")
    assert sorted(m["subject"] for m in account_export(user=user)["mails"]) == ["Ook A", "Voor A"]
    account_delete(user=user)
    assert list(Email.objects.values_list("subject", flat=True)) == ["Voor BA"]


@pytest.mark.django_db
def test_an_unverified_address_adds_nothing_to_the_export_and_its_mails_survive_deletion():
    user = ParticipantFactory(email="eigen@example.org")
    # Someone adds another person's address without proving it is theirs.
    EmailAddress.objects.create(user=user, email="buurvrouw@example.org", verified=False, primary=False)
    for address, subject in [("eigen@example.org", "Voor mij"), ("buurvrouw@example.org", "Wachtwoord herstellen")]:
        post_office_mail.send(recipients=[address], sender="noreply@example.org", subject=subject, message="Tekst")
    export = account_export(user=user)
    assert [m["subject"] for m in export["mails"]] == ["Voor mij"]
    account_delete(user=user)
    assert list(Email.objects.values_list("subject", flat=True)) == ["Wachtwoord herstellen"]


@pytest.mark.django_db
def test_deletion_leaves_another_persons_queued_reset_mail_intact():
    from tests.factories import TopicFactory

    user = ParticipantFactory(first_name="S", last_name="Nl", organisation="/")
    topic = TopicFactory()
    # Short texts that also occur in any link: searching mails for them would break other people's mails.
    Comment.objects.create(topic=topic, author=user, text="/")
    Comment.objects.create(topic=topic, author=user, text="s")
    other = ParticipantFactory(email="ander@example.org")
    link = "https://nmp.example.nl/account/password/reset/key/1-abc-s/"
    reset = post_office_mail.send(
        recipients=[other.email],
        sender="noreply@example.org",
        subject="Wachtwoord herstellen",
        message=f"Stel een nieuw wachtwoord in: {link}",
        html_message=f'<a href="{link}">{link}</a>',
    )
    account_delete(user=user, remove_contributions=True)
    reset.refresh_from_db()
    assert reset.message == f"Stel een nieuw wachtwoord in: {link}"
    assert reset.html_message == f'<a href="{link}">{link}</a>' and reset.subject == "Wachtwoord herstellen"
