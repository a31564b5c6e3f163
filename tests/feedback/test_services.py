"""The services hold the rules: who, when, how much; the database guards the rest."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from feedback import moderation, notifications, services
from feedback.models import Comment, Priority, Report, Vote
from tests.factories import ModeratorFactory, ParticipantFactory, RecommendationFactory, UserFactory


def test_vote_cast_change_and_withdraw(participant, recommendation):
    vote = services.vote_cast(participant=participant, recommendation=recommendation, choice="agree")
    assert vote.choice == "agree"
    services.vote_cast(participant=participant, recommendation=recommendation, choice="disagree")
    assert list(Vote.objects.values_list("choice", flat=True)) == ["disagree"]
    assert services.vote_withdraw(participant=participant, recommendation=recommendation) is True
    assert not Vote.objects.exists()
    assert services.vote_withdraw(participant=participant, recommendation=recommendation) is False


def test_vote_same_twice_stores_one(participant, recommendation):
    for _ in range(3):
        services.vote_cast(participant=participant, recommendation=recommendation, choice="neutral")
    assert Vote.objects.count() == 1


@pytest.mark.parametrize("choice", ["", "yes", "AGREE", None, "withdraw"])
def test_vote_refuses_values_outside_the_allowed(participant, recommendation, choice):
    with pytest.raises(ValidationError):
        services.vote_cast(participant=participant, recommendation=recommendation, choice=choice)
    assert not Vote.objects.exists()


def test_vote_refused_for_anonymous_unverified_blocked(recommendation):
    from django.contrib.auth.models import AnonymousUser

    blocked = ParticipantFactory(is_blocked=True)
    unverified = ParticipantFactory(verified=False)
    inactive = ParticipantFactory(is_active=False)
    for user in [AnonymousUser(), blocked, unverified, inactive, None]:
        with pytest.raises(PermissionDenied):
            services.vote_cast(participant=user, recommendation=recommendation, choice="agree")
    assert not Vote.objects.exists()


def test_every_write_refused_on_closed_and_upcoming_topics(participant, other, closed_topic, upcoming_topic):
    for topic in [closed_topic, upcoming_topic]:
        rec = RecommendationFactory(topic=topic)
        comment = Comment.objects.create(topic=topic, recommendation=rec, author=other, text="Eerder geplaatst")
        own = Comment.objects.create(topic=topic, recommendation=rec, author=participant, text="Van mij")
        calls = [
            lambda rec=rec: services.vote_cast(participant=participant, recommendation=rec, choice="agree"),
            lambda rec=rec: services.vote_withdraw(participant=participant, recommendation=rec),
            lambda rec=rec: services.priority_add(participant=participant, recommendation=rec),
            lambda rec=rec: services.priority_remove(participant=participant, recommendation=rec),
            lambda rec=rec, topic=topic: services.comment_create(
                author=participant, topic=topic, recommendation=rec, text="Hallo"
            ),
            lambda comment=comment, topic=topic: services.comment_create(
                author=participant, topic=topic, recommendation=comment.recommendation, parent=comment, text="Hallo"
            ),
            lambda own=own: services.comment_update(comment=own, author=participant, text="Anders"),
            lambda own=own: services.comment_delete(comment=own, author=participant),
            lambda comment=comment: services.report_create(comment=comment, reporter=participant, reason="spam"),
        ]
        for call in calls:
            with pytest.raises(PermissionDenied):
                call()
    assert not Vote.objects.exists()
    assert not Priority.objects.exists()
    assert not Report.objects.exists()
    assert Comment.objects.count() == 4
    assert not Comment.objects.filter(is_deleted=True).exists()


def test_priority_limit_three_per_topic(participant, recommendations, topic):
    for rec in recommendations[:3]:
        services.priority_add(participant=participant, recommendation=rec)
    services.priority_add(participant=participant, recommendation=recommendations[0])  # same again: fine
    with pytest.raises(ValidationError) as excinfo:
        services.priority_add(participant=participant, recommendation=recommendations[3])
    assert "3" in excinfo.value.messages[0]
    assert Priority.objects.filter(participant=participant).count() == 3
    services.priority_remove(participant=participant, recommendation=recommendations[0])
    services.priority_add(participant=participant, recommendation=recommendations[3])
    assert Priority.objects.filter(participant=participant).count() == 3
    # Another topic has its own three.
    other_rec = RecommendationFactory()
    other_rec.topic.opens_at = None
    other_rec.topic.save()
    services.priority_add(participant=participant, recommendation=other_rec)


def test_comment_create_reply_one_level_and_token(participant, other, recommendation, topic):
    comment = services.comment_create(
        author=participant, topic=topic, recommendation=recommendation, text=" Eens!\r\nZeker ", stance="for"
    )
    assert comment.text == "Eens!\nZeker"
    reply = services.comment_create(
        author=other, topic=topic, recommendation=recommendation, parent=comment, text="Waarom?"
    )
    deeper = services.comment_create(
        author=participant, topic=topic, recommendation=recommendation, parent=reply, text="Daarom."
    )
    assert deeper.parent_id == comment.pk  # a reply to a reply joins the thread

    token = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    first = services.comment_create(author=other, topic=topic, text="Algemeen punt", client_token=token)
    again = services.comment_create(
        author=other, topic=topic, text="Algemeen punt (bewerkt in andere tab)", client_token=token
    )
    assert first.pk == again.pk
    # Without a token the same text in the same place a moment later is a repeat too.
    assert (
        services.comment_create(author=other, topic=topic, text="Nog een punt").pk
        == services.comment_create(author=other, topic=topic, text="Nog een punt").pk
    )
    assert Comment.objects.filter(recommendation__isnull=True).count() == 2


def _racing_double_submission(monkeypatch, author, topic, token):
    """The other tab's request stored the comment after this one's repeat check looked (and found nothing)."""
    first = services.comment_create(author=author, topic=topic, text="Eerste versie", client_token=token)
    real = services._find_repeat
    looks = []

    def find_repeat(*args):
        looks.append(args)
        return None if len(looks) == 1 else real(*args)

    monkeypatch.setattr(services, "_find_repeat", find_repeat)
    return first


@pytest.mark.django_db(transaction=True)
def test_a_double_submission_racing_past_the_repeat_check_stores_one_comment(monkeypatch, participant, topic):
    token = "2c5f39cb-3fb2-42e3-994f-1127e4ddb538"
    first = _racing_double_submission(monkeypatch, participant, topic, token)
    again = services.comment_create(author=participant, topic=topic, text="Tweede versie", client_token=token)
    assert again.pk == first.pk
    assert list(Comment.objects.values_list("text", flat=True)) == ["Eerste versie"]


def test_the_race_inside_a_callers_transaction_leaves_that_transaction_usable(monkeypatch, participant, topic):
    from django.db import transaction

    token = "9d0b8e4a-6a44-4f5e-8c1e-3a0f2f7d1c55"
    with transaction.atomic():
        first = _racing_double_submission(monkeypatch, participant, topic, token)
        again = services.comment_create(author=participant, topic=topic, text="Tweede versie", client_token=token)
        assert again.pk == first.pk
        assert Comment.objects.count() == 1  # a query after the clash: the transaction was not spoilt
    assert Comment.objects.get().text == "Eerste versie"


def test_comment_length_and_values(participant, recommendation, topic):
    with pytest.raises(ValidationError) as excinfo:
        services.comment_create(author=participant, topic=topic, recommendation=recommendation, text="x" * 2001)
    assert "2000" in str(excinfo.value)
    with pytest.raises(ValidationError):
        services.comment_create(author=participant, topic=topic, recommendation=recommendation, text="   ")
    with pytest.raises(ValidationError):
        services.comment_create(
            author=participant, topic=topic, recommendation=recommendation, text="ok", stance="maybe"
        )
    services.comment_create(author=participant, topic=topic, recommendation=recommendation, text="x" * 2000)


def test_reply_refused_to_deleted_or_hidden_or_other_discussion(participant, other, recommendation, topic):
    comment = services.comment_create(author=other, topic=topic, recommendation=recommendation, text="Eerste")
    with pytest.raises(ValidationError):
        services.comment_create(author=participant, topic=topic, recommendation=None, parent=comment, text="Elders")
    services.comment_delete(comment=comment, author=other)
    comment.refresh_from_db()
    with pytest.raises(ValidationError):
        services.comment_create(
            author=participant, topic=topic, recommendation=recommendation, parent=comment, text="Hallo"
        )


def test_edit_and_delete_only_own(participant, other, recommendation, topic):
    comment = services.comment_create(author=participant, topic=topic, recommendation=recommendation, text="Eerste")
    with pytest.raises(PermissionDenied):
        services.comment_update(comment=comment, author=other, text="Gekaapt")
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, author=other)
    updated = services.comment_update(comment=comment, author=participant, text="Tweede", stance="against")
    assert updated.edited_at is not None and updated.text == "Tweede"
    services.comment_delete(comment=comment, author=participant)
    comment.refresh_from_db()
    assert comment.is_deleted and comment.deleted_at


def test_report_rules(participant, other, recommendation, topic):
    comment = services.comment_create(author=other, topic=topic, recommendation=recommendation, text="Iets")
    with pytest.raises(PermissionDenied):
        services.report_create(comment=comment, reporter=other, reason="spam")
    with pytest.raises(ValidationError):
        services.report_create(comment=comment, reporter=participant, reason="boring")
    services.report_create(comment=comment, reporter=participant, reason="spam", explanation="Reclame")
    with pytest.raises(ValidationError):
        services.report_create(comment=comment, reporter=participant, reason="other")
    assert Report.objects.count() == 1


def test_comment_hide_only_moderators_and_resolves_reports(participant, other, recommendation, topic):
    comment = services.comment_create(author=other, topic=topic, recommendation=recommendation, text="Scheldwoord")
    services.report_create(comment=comment, reporter=participant, reason="offensive")
    with pytest.raises(PermissionDenied):
        moderation.comment_hide(comment=comment, moderator=participant, reason_code="spam")
    moderator = ModeratorFactory()
    with pytest.raises(ValidationError):
        moderation.comment_hide(comment=comment, moderator=moderator, reason_code="other", reason_text="  ")
    moderation.comment_hide(comment=comment, moderator=moderator, reason_code="other", reason_text="Beledigend")
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Beledigend" and comment.hidden_by == moderator
    assert Report.objects.get().resolved_by == moderator


def test_unsubscribe_token_round_trip(participant):
    token = notifications.unsubscribe_token(participant)
    assert notifications.unsubscribe_user(token) == participant
    assert notifications.unsubscribe_user(token + "x") is None
    assert notifications.unsubscribe_user("garbage") is None
    notifications.reply_mails_unsubscribe(user=participant)
    participant.refresh_from_db()
    assert participant.notify_replies is False


def test_anonymous_user_object_is_refused_for_comments(topic):
    with pytest.raises(PermissionDenied):
        services.comment_create(author=UserFactory(), topic=topic, text="Geen bevestigd adres")
