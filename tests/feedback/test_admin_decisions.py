"""Decisions in the admin, each through a service and written to the audit log; the audit log itself read-only."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from feedback import moderation, services
from feedback.models import AuditAction, AuditEntry, Comment, Proposal
from tests.auth import staff_mfa_login
from tests.factories import ModeratorFactory, OrganiserFactory, ParticipantFactory, RecommendationFactory

ROLES = ["moderator", "organiser", "superuser"]


def _staff(role):
    return {
        "moderator": ModeratorFactory,
        "organiser": OrganiserFactory,
        "superuser": lambda: ModeratorFactory(is_superuser=True),
    }[role]()


@pytest.fixture
def moderator(db, client):
    return staff_mfa_login(client, ModeratorFactory())


@pytest.fixture
def entry(db, topic, other):
    comment = services.comment_create(author=other, topic=topic, text="Een reactie")
    moderation.comment_hide(comment=comment, moderator=ModeratorFactory(), reason_code="spam")
    return AuditEntry.objects.get(action=AuditAction.COMMENT_HIDE)


@pytest.mark.parametrize("role", ROLES)
def test_audit_log_cannot_be_changed_through_any_admin_url(client, entry, role):
    staff_mfa_login(client, _staff(role))
    base = "/admin/feedback/auditentry/"
    before = list(AuditEntry.objects.values())
    refused = [
        client.get(f"{base}add/"),
        client.post(f"{base}add/", {"action": "comment_hide", "reason": "nep"}),
        client.post(f"{base}{entry.pk}/change/", {"reason": "veranderd", "action": "comment_restore"}),
        client.get(f"{base}{entry.pk}/delete/"),
        client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}),
        client.get(f"{base}{entry.pk}/history/"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused), role
    bulk = client.post(base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert bulk.status_code in (200, 302, 403)
    assert list(AuditEntry.objects.values()) == before
    listing = client.get(base)
    if role == "organiser":
        assert listing.status_code == 403
    else:
        html = listing.content.decode()
        assert listing.status_code == 200
        assert 'value="delete_selected"' not in html and "auditentry/add/" not in html


def test_audit_log_filters_and_export(client, moderator, entry):
    page = client.get("/admin/feedback/auditentry/").content.decode()
    for filter_param in ["actor__id__exact", "action__exact", "topic__id__exact", "created_at__gte"]:
        assert filter_param in page, filter_param
    response = client.post("/admin/feedback/auditentry/export/", {"format": "0", "resource": "0"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "wanneer", "moderator", "actie"]
    assert rows[1][3] == "Reactie verborgen"


def test_feature_and_no_action_from_the_comment_page(client, moderator, participant, other, topic):
    comment = services.comment_create(author=other, topic=topic, text="Een goede reactie")
    services.report_create(comment=comment, reporter=participant, reason="spam")
    url = f"/admin/feedback/comment/{comment.pk}/change/"
    client.post(url, {"decision": "no_action"})
    comment.refresh_from_db()
    assert not comment.is_hidden and not comment.reports.filter(resolved_at__isnull=True).exists()
    client.post(url, {"decision": "feature"})
    comment.refresh_from_db()
    assert comment.is_featured
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        AuditAction.REPORTS_RESOLVE,
        AuditAction.COMMENT_FEATURE,
    }


def test_proposal_corrected_then_approved_or_marked_duplicate(client, moderator, participant, topic):
    proposal = services.proposal_submit(author=participant, topic=topic, text="Meer bomen in de wjik")
    url = f"/admin/feedback/proposal/{proposal.pk}/change/"
    refused = client.post(url, {"decision": "correct", "correct-text": "Meer bomen in de wijk", "correct-reason": ""})
    assert "Dit veld is verplicht." in refused.content.decode()
    client.post(url, {"decision": "correct", "correct-text": "Meer bomen in de wijk", "correct-reason": "Typefout"})
    proposal.refresh_from_db()
    assert proposal.text == "Meer bomen in de wijk" and proposal.original_text == "Meer bomen in de wjik"
    assert "Meer bomen in de wjik" in client.get(url).content.decode()  # the original stays visible
    client.post(url, {"decision": "approve"})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED

    existing = RecommendationFactory(topic=topic, position=7, text="Bomen planten")
    second = services.proposal_submit(author=participant, topic=topic, text="Plant bomen")
    url = f"/admin/feedback/proposal/{second.pk}/change/"
    assert "Bomen planten" in client.get(url).content.decode()  # the recommendations to pick from
    client.post(url, {"decision": "duplicate", "duplicate-recommendation": existing.pk})
    second.refresh_from_db()
    assert second.status == Proposal.Status.DUPLICATE and second.duplicate_of == existing


def test_voted_recommendation_corrected_only_with_a_reason_and_logged(client, moderator, participant, recommendation):
    services.vote_cast(participant=participant, recommendation=recommendation, choice="agree")
    url = f"/admin/topics/recommendation/{recommendation.pk}/change/"
    page = client.get(url).content.decode()
    assert "nieuw advies, geen aanpassing" in page  # the help text: a change of meaning is a new recommendation
    refused = client.post(url, {"decision": "correct", "correct-text": "Andere tekst", "correct-reason": " "})
    assert "Dit veld is verplicht." in refused.content.decode() or "reden" in refused.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.text != "Andere tekst"
    client.post(url, {"decision": "correct", "correct-text": "Advies met verbeterde tekst", "correct-reason": "Typo"})
    recommendation.refresh_from_db()
    assert recommendation.text == "Advies met verbeterde tekst"
    entry = AuditEntry.objects.get(action=AuditAction.ITEM_TEXT_CORRECT)
    assert entry.reason == "Typo" and entry.actor == moderator
    assert "Typo" in client.get(url).content.decode()  # the earlier text with its reason


def test_official_response_on_a_recommendation(client, moderator, recommendation):
    url = f"/admin/topics/recommendation/{recommendation.pk}/change/"
    client.post(url, {"decision": "respond", "respond-text": "We nemen dit mee in het NMP."})
    assert recommendation.official_response.text == "We nemen dit mee in het NMP."
    assert AuditEntry.objects.filter(action=AuditAction.OFFICIAL_RESPONSE_SET).count() == 1


def test_topic_dates_go_through_the_schedule_service(client, moderator, topic):
    url = f"/admin/topics/topic/{topic.pk}/change/"
    closes = timezone.localtime(topic.closes_at + timedelta(days=7))
    opens = timezone.localtime(topic.opens_at)
    data = {
        "number": topic.number,
        "title": topic.title,
        "heading": topic.heading,
        "ordering": topic.ordering,
        "introduction": topic.introduction,
        "question": topic.question,
        "opens_at_0": opens.strftime("%d-%m-%Y"),
        "opens_at_1": opens.strftime("%H:%M:%S"),
        "closes_at_0": closes.strftime("%d-%m-%Y"),
        "closes_at_1": closes.strftime("%H:%M:%S"),
    }
    for prefix in ["considerations", "recommendations"]:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(action=AuditAction.TOPIC_SCHEDULE)
    assert entry.actor == moderator and entry.topic == topic


def test_block_with_reason_and_hide_comments(client, moderator, other, topic, django_capture_on_commit_callbacks):
    comment = services.comment_create(author=other, topic=topic, text="Vervelende reactie")
    mail.outbox.clear()
    url = "/admin/participants/user/"
    data = {"action": "block_participants", "_selected_action": [other.pk]}
    step = client.post(url, data).content.decode()
    assert "Wat verandert er" in step and "Verberg ook de reacties" in step
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {**data, "confirm": "1", "block-reason": "Herhaald schelden", "block-hide_comments": "on"}
        )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.is_blocked
    assert Comment.objects.get(pk=comment.pk).is_hidden
    assert any("Herhaald schelden" in message.body for message in mail.outbox if other.email in message.to)

    data = {"action": "unblock_participants", "_selected_action": [other.pk]}
    refused = client.post(url, {**data, "confirm": "1", "unblock-reason": ""})
    assert "Dit veld is verplicht." in refused.content.decode()
    client.post(url, {**data, "confirm": "1", "unblock-reason": "Excuses aangeboden"})
    other.refresh_from_db()
    assert not other.is_blocked
    assert AuditEntry.objects.filter(action=AuditAction.PARTICIPANT_UNBLOCK, reason="Excuses aangeboden").exists()


def test_moderator_sees_no_password_block_but_can_block(client, moderator):
    participant = ParticipantFactory()
    page = client.get(f"/admin/participants/user/{participant.pk}/change/").content.decode()
    assert "../password/" not in page
    assert "block_participants" in client.get("/admin/participants/user/").content.decode()
