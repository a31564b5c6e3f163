"""A blocked participant can log in and read, sees why, and every contribution service refuses them."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import Comment, Priority, Proposal, Report, Vote
from participants.services import user_block
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory, TopicFactory

BLOCKED = "Uw account is geblokkeerd. U kunt alles lezen, maar niet meedoen."


@pytest.fixture
def setting(db):
    now = timezone.now()
    topic = TopicFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
    rec = RecommendationFactory(topic=topic, position=1)
    user = ParticipantFactory()
    own = Comment.objects.create(topic=topic, recommendation=rec, author=user, text="Van voor de blokkade")
    others = Comment.objects.create(topic=topic, recommendation=rec, author=ParticipantFactory(), text="Van een ander")
    Vote.objects.create(participant=user, recommendation=rec, choice="agree")
    Priority.objects.create(participant=user, recommendation=rec, topic=topic)
    user_block(user=user, moderator=ModeratorFactory(), reason="Herhaald schelden")
    return {"user": user, "topic": topic, "rec": rec, "own": own, "others": others}


CALLS = {
    "vote_cast": lambda s: feedback_services.vote_cast(participant=s["user"], recommendation=s["rec"], choice="agree"),
    "vote_withdraw": lambda s: feedback_services.vote_withdraw(participant=s["user"], recommendation=s["rec"]),
    "priority_add": lambda s: feedback_services.priority_add(participant=s["user"], recommendation=s["rec"]),
    "priority_remove": lambda s: feedback_services.priority_remove(participant=s["user"], recommendation=s["rec"]),
    "comment_create": lambda s: feedback_services.comment_create(author=s["user"], topic=s["topic"], text="Nieuw"),
    "reply": lambda s: feedback_services.comment_create(
        author=s["user"], topic=s["topic"], recommendation=s["rec"], parent=s["others"], text="Antwoord"
    ),
    "comment_update": lambda s: feedback_services.comment_update(comment=s["own"], author=s["user"], text="Anders"),
    "comment_delete": lambda s: feedback_services.comment_delete(comment=s["own"], author=s["user"]),
    "report_create": lambda s: feedback_services.report_create(comment=s["others"], reporter=s["user"], reason="spam"),
    "proposal_submit": lambda s: feedback_services.proposal_submit(
        author=s["user"], topic=s["topic"], text="Meer bomen"
    ),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_every_contribution_service_refuses_a_blocked_participant_and_says_why(setting, name):
    with pytest.raises(PermissionDenied, match="geblokkeerd"):
        CALLS[name](setting)
    own = Comment.objects.get(pk=setting["own"].pk)
    assert own.text == "Van voor de blokkade" and not own.is_deleted
    assert Comment.objects.count() == 2 and not Report.objects.exists() and not Proposal.objects.exists()
    assert Vote.objects.count() == 1 and Priority.objects.count() == 1


def test_the_services_and_the_pages_use_the_same_predicate(setting):
    user = setting["user"]
    assert not user.has_perm("participants.contribute")
    for perm in ["feedback.vote", "feedback.comment", "feedback.propose", "feedback.report_comment"]:
        assert not user.has_perm(perm, setting["others"])


def test_blocked_participant_logs_in_reads_and_sees_the_reason_on_the_topic_page(client, setting):
    response = client.post("/account/login/", {"login": setting["user"].email, "password": "een-lang-wachtwoord-2026"})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(setting["user"].pk)
    body = client.get(f"/onderwerpen/{setting['topic'].slug}/").content.decode()
    assert "Herhaald schelden" in body and BLOCKED in body
    assert "Plaats reactie" not in body
