"""Moderation against real PostgreSQL: two moderators at once, and an audit log the database itself protects."""

import time

import pytest
from django.db import DatabaseError, connection, transaction
from post_office.models import Email

from feedback import moderation, moderation_mail, services
from feedback.models import AuditAction, AuditEntry, Comment, DecisionMail
from participants.models import User
from tests.factories import ModeratorFactory, ParticipantFactory, TopicFactory
from tests.services.test_concurrency import _run_concurrently


def _open_topic():
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    return TopicFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9))


def test_two_moderators_hide_the_same_comment_one_entry_one_mail(transactional_db, celery_worker_process):
    assert connection.vendor == "postgresql"
    topic = _open_topic()
    author = ParticipantFactory()
    comment = services.comment_create(author=author, topic=topic, text="Twee moderatoren tegelijk")
    moderators = [ModeratorFactory(), ModeratorFactory()]
    calls = [
        lambda m=m, code=code: moderation.comment_hide(
            comment=Comment.objects.get(pk=comment.pk), moderator=User.objects.get(pk=m.pk), reason_code=code
        )
        for m, code in zip(moderators, ["spam", "off_topic"], strict=True)
    ]
    results, errors = _run_concurrently(calls)
    assert errors == [] and len(results) == 2
    (entry,) = AuditEntry.objects.filter(action=AuditAction.COMMENT_HIDE)
    # Both callers see the one decision that was taken.
    assert {r.hidden_by_id for r in results} == {entry.actor_id}
    assert {r.hidden_reason_code for r in results} == {entry.new_state["reason_code"]}

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Email.objects.filter(to__icontains=author.email).exists():
        time.sleep(0.5)
    time.sleep(2)  # give a second mail, if there were one, the time to arrive
    assert Email.objects.filter(to__icontains=author.email).count() == 1


def test_the_decision_mail_run_twice_at_once_sends_once(transactional_db):
    topic = _open_topic()
    author = ParticipantFactory()
    comment = services.comment_create(author=author, topic=topic, text="Eén keer mailen")
    moderator = ModeratorFactory()
    with transaction.atomic():
        moderation.comment_hide(comment=comment, moderator=moderator, reason_code="spam")
    entry = AuditEntry.objects.get(action=AuditAction.COMMENT_HIDE)
    Email.objects.all().delete()
    DecisionMail.objects.all().delete()
    results, errors = _run_concurrently([lambda: moderation_mail.decision_mail_send(entry_id=entry.pk)] * 4)
    assert errors == [] and sorted(results) == [0, 0, 0, 1]
    assert Email.objects.filter(to__icontains=author.email).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_update_and_delete_of_the_audit_log():
    assert connection.vendor == "postgresql"
    topic = _open_topic()
    comment = services.comment_create(author=ParticipantFactory(), topic=topic, text="Bewijs")
    moderation.comment_hide(comment=comment, moderator=ModeratorFactory(), reason_code="spam")
    entry = AuditEntry.objects.get()
    for sql in (
        "UPDATE feedback_auditentry SET reason = 'weg' WHERE id = %s",
        "DELETE FROM feedback_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get().reason == "Spam of reclame"


def test_two_moderators_approve_the_same_proposal_one_recommendation(transactional_db):
    from feedback.models import Proposal
    from topics.models import Recommendation

    topic = _open_topic()
    proposal = services.proposal_submit(author=ParticipantFactory(), topic=topic, text="Eén keer publiceren")
    moderators = [ModeratorFactory() for _ in range(4)]
    calls = [
        lambda m=m: moderation.proposal_approve(
            proposal=Proposal.objects.get(pk=proposal.pk), moderator=User.objects.get(pk=m.pk)
        )
        for m in moderators
    ]
    results, errors = _run_concurrently(calls)
    assert errors == [] and len({r.recommendation_id for r in results}) == 1
    assert Recommendation.objects.filter(topic=topic).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.PROPOSAL_APPROVE).count() == 1
