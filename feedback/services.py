"""Writes of participants' input: votes, priorities, comments, reports, proposals.

Moderators' decisions on them are in ``feedback.moderation``.

Every function asks its permission (who and when: role and the topic's phase,
see ``feedback.rules``) and checks what (allowed values, lengths) itself, so
views, the admin, commands and tasks can all call it and a rule lives in one place.
"""

import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from topics import pagecache
from topics.models import Topic

from . import notifications, privacy, tasks
from .models import Choice, Comment, Priority, Proposal, Report, ReportReason, Stance, TopicFollow, Vote
from .results.publication import publish, publish_later
from .rules import refusal_message
from .text import check_length, clean_text

DUPLICATE_WINDOW = timedelta(seconds=30)


def _stamp(participant):
    """Who ``participant`` speaks for right now: stored on each vote and priority as it is cast."""
    return {
        "sector": participant.sector,
        "participates_as": participant.participates_as,
        "sector_confirmed": participant.sector_confirmed,
    }


def refuse_unless(user, perm, obj=None):
    """Raise PermissionDenied with the reason a person can act on, unless ``user`` has ``perm`` on ``obj``."""
    message = refusal_message(user, perm, obj)
    if message:
        raise PermissionDenied(message)


# Cache scope (``topics.pagecache``) of the moderators' queues: bumped by a new report or proposal. A
# decision on one goes through ``moderation.audit_record``, which bumps ``content``.
QUEUES = "queues"


def discussion_changed(topic_id, slug=None):
    """Cached anonymous pages of the topic (its discussions, comment counts) are stale after this transaction."""
    slug = slug or Topic.objects.values_list("slug", flat=True).get(pk=topic_id)
    pagecache.bump(pagecache.topic_scope(slug), pagecache.DISCUSSIONS)


def _ensure_published(recommendation):
    if not recommendation.is_published:
        raise PermissionDenied(_("This recommendation is not available."))


def _check_comment_text(text):
    if not text:
        raise ValidationError({"text": _("Write your comment first.")})
    check_length(
        text,
        field="text",
        limit=Comment.MAX_LENGTH,
        message=_("A comment can be at most %(max)s characters; yours has %(count)s."),
    )


def _check_stance(stance):
    if stance not in [*Stance.values, ""]:
        raise ValidationError({"stance": _("Choose agree, neutral or disagree, or leave it empty.")})


# --- Votes and priorities -----------------------------------------------------------


def vote_cast(*, participant, recommendation, choice) -> Vote:
    """Set ``participant``'s position on ``recommendation`` (new or changed).

    The vote records the participant's sector, "organisation or personally"
    and whether the sector is confirmed, as they are now; the results count it
    there until the participant votes again (see ``results.publication``).

    Guarantees: one row per participant and recommendation, also under
    concurrent requests (one ``INSERT ... ON CONFLICT DO UPDATE``: the unique
    constraint decides, and a request that comes second updates the first
    one's row instead of failing); only for a participant who may contribute,
    on a published recommendation of an open topic; ``choice`` is agree,
    neutral or disagree. Voting again, even the same position, re-stamps the
    vote with the participant's sector now. The returned vote carries the
    stored id, position and stamp. The published figures follow within seconds
    (``results.publication.publish_later``).
    """
    refuse_unless(participant, "feedback.vote", recommendation)
    _ensure_published(recommendation)
    if choice not in Choice.values:
        raise ValidationError({"choice": _("Choose Agree, Neutral or Disagree.")})
    stamp = _stamp(participant)
    vote = Vote(participant=participant, recommendation=recommendation, choice=choice, **stamp)
    # The foreign keys are the objects just checked (no lookup); the database guards the constraints.
    vote.full_clean(exclude=["participant", "recommendation"], validate_unique=False, validate_constraints=False)
    # A voter who changed sector moves this vote only by casting it again: the stamp is updated with it.
    Vote.objects.upsert(vote)
    publish_later(recommendation_ids=[recommendation.pk], participants=[participant.pk])
    pagecache.reader_changed(participant.pk)
    return vote


def _take_back(model, permission, *, participant, recommendation) -> bool:
    """Delete ``participant``'s vote or priority on ``recommendation``; True if there was one."""
    refuse_unless(participant, permission, recommendation)
    _ensure_published(recommendation)
    with transaction.atomic():
        deleted, _detail = model.objects.filter(participant=participant, recommendation=recommendation).delete()
    publish_later(recommendation_ids=[recommendation.pk], participants=[participant.pk])
    pagecache.reader_changed(participant.pk)
    return bool(deleted)


def vote_withdraw(*, participant, recommendation) -> bool:
    """Remove ``participant``'s position on ``recommendation``; True if there was one. Open topics only."""
    return _take_back(Vote, "feedback.vote", participant=participant, recommendation=recommendation)


def votes_confirm_sector(user) -> None:
    """Count ``user``'s votes and priorities cast with their current sector as confirmed.

    Called when the organisers confirm that sector (``participants.services.sector_confirm``).
    Votes cast with another sector stay unconfirmed. The published figures follow
    under the usual rule (``results.publication``).
    """
    own = {"participant": user, "sector": user.sector, "sector_confirmed": False}
    affected = set(Vote.objects.filter(**own).values_list("recommendation_id", flat=True))
    affected |= set(Priority.objects.filter(**own).values_list("recommendation_id", flat=True))
    Vote.objects.filter(**own).update(sector_confirmed=True)
    Priority.objects.filter(**own).update(sector_confirmed=True)
    if affected:
        publish(recommendation_ids=affected, participants=[user.pk])


def priority_add(*, participant, recommendation) -> Priority:
    """Mark ``recommendation`` as one of ``participant``'s priorities for its topic.

    Guarantees: at most ``Priority.MAX_PER_TOPIC`` per participant per topic,
    also under concurrent requests: the participant's row is locked first
    (``SELECT ... FOR UPDATE``; on SQLite the IMMEDIATE transaction serialises
    writers), so two requests cannot both count two and add a third and fourth.
    Adding the same one twice returns the existing priority.
    """
    refuse_unless(participant, "feedback.priority", recommendation)
    _ensure_published(recommendation)
    topic = recommendation.topic
    for attempt in range(2):
        try:
            with transaction.atomic():
                get_user_model().objects.select_for_update().filter(pk=participant.pk).values_list("pk").get()
                existing = Priority.objects.filter(participant=participant, recommendation=recommendation).first()
                if existing:
                    return existing
                if Priority.objects.filter(participant=participant, topic=topic).count() >= Priority.MAX_PER_TOPIC:
                    raise ValidationError(
                        _(
                            "You have already chosen %(max)s priorities for this topic. "
                            "Remove one first if you want to choose this one."
                        )
                        % {"max": Priority.MAX_PER_TOPIC}
                    )
                priority = Priority(
                    participant=participant, recommendation=recommendation, topic=topic, **_stamp(participant)
                )
                priority.full_clean(validate_constraints=False)
                priority.save()
            publish_later(recommendation_ids=[recommendation.pk], participants=[participant.pk])
            pagecache.reader_changed(participant.pk)
            return priority
        except IntegrityError:
            if attempt == 1:
                raise
    raise AssertionError("unreachable")


def priority_remove(*, participant, recommendation) -> bool:
    """Take away a priority; True if there was one. Open topics only."""
    return _take_back(Priority, "feedback.priority", participant=participant, recommendation=recommendation)


# --- Comments -----------------------------------------------------------------------


def comment_create(*, author, topic, text, recommendation=None, parent=None, stance="", client_token=None) -> Comment:
    """Post a comment on a recommendation, on the topic in general, or a reply.

    Guarantees: participants who may contribute, open topics, published
    recommendations of this topic only; replies are one level deep (a reply to a
    reply joins the thread) and only to a visible comment; text 1-2000
    characters, stored as plain text. A double submission stores one comment:
    the form's ``client_token`` is unique per author, and without a token the
    same text by the same author in the same place within 30 seconds is taken
    as a repeat. The author of the comment replied to gets a mail after commit
    (bundled, at most one an hour per thread).
    """
    if parent is not None:
        refuse_unless(author, "feedback.reply", parent)
    refuse_unless(author, "feedback.comment", recommendation or topic)
    text = clean_text(text)
    _check_comment_text(text)
    _check_stance(stance)
    if recommendation is not None:
        _ensure_published(recommendation)
        if recommendation.topic_id != topic.pk:
            raise ValidationError(_("This recommendation does not belong to this topic."))
    if parent is not None:
        if parent.parent_id:
            parent = parent.parent
        if parent.topic_id != topic.pk or parent.recommendation_id != getattr(recommendation, "pk", None):
            raise ValidationError(_("You can only reply to a comment in the same discussion."))
        if not parent.is_visible:
            raise ValidationError(_("You cannot reply to a comment that was deleted or hidden."))
    if client_token is not None and not isinstance(client_token, uuid.UUID):
        try:
            client_token = uuid.UUID(str(client_token))
        except ValueError:
            client_token = None

    # No transaction of its own: the repeat check and the insert are one statement each (autocommit). A
    # transaction around them would add four round trips (BEGIN, a savepoint for the clash below, its
    # release, COMMIT) and guard nothing more: the unique client token decides a race either way.
    repeat = _find_repeat(author, topic, recommendation, parent, text, client_token)
    if repeat:
        return repeat
    comment = Comment(
        topic=topic,
        recommendation=recommendation,
        parent=parent,
        author=author,
        text=text,
        stance=stance,
        client_token=client_token,
    )
    # The related rows were read for this call: their ForeignKey checks would read each one again
    # (a query per row; the database's foreign keys guard against one deleted meanwhile).
    comment.full_clean(exclude=["topic", "recommendation", "parent", "author"], validate_constraints=False)
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():  # a savepoint: a clash must not spoil the caller's transaction
                comment.save()
        else:
            comment.save()
    except IntegrityError:
        # The same client token stored a moment ago (a double submission racing this one).
        repeat = _find_repeat(author, topic, recommendation, parent, text, client_token)
        if repeat:
            return repeat
        raise
    discussion_changed(topic.pk, topic.slug)
    if parent is not None and parent.author_id != author.pk:
        _queue_reply_mail(parent)
    return comment


def _queue_reply_mail(thread):
    wait = 0
    if thread.reply_mail_sent_at:
        wait = max(
            0, int((thread.reply_mail_sent_at + notifications.REPLY_MAIL_INTERVAL - timezone.now()).total_seconds()) + 1
        )
    thread_id = thread.pk
    transaction.on_commit(lambda: tasks.send_reply_mail.apply_async(args=[thread_id], countdown=wait))


def _find_repeat(author, topic, recommendation, parent, text, client_token):
    """The comment this submission repeats (same client token, or the same text in the same place moments ago).

    It carries ``topic``: its address needs the topic's slug, which is not read again.
    """
    found = None
    if client_token is not None:
        found = Comment.objects.filter(author=author, client_token=client_token).first()
    if found is None:
        found = (
            Comment.objects.filter(
                author=author,
                topic=topic,
                recommendation=recommendation,
                parent=parent,
                text=text,
                created_at__gte=timezone.now() - DUPLICATE_WINDOW,
            )
            .order_by("-pk")
            .first()
        )
    if found is not None:
        found.topic = topic
    return found


def comment_update(*, comment, author, text, stance="") -> Comment:
    """Change the text or stance of one's own comment while the topic is open; marks it edited."""
    refuse_unless(author, "feedback.edit_own_comment", comment)
    text = clean_text(text)
    _check_comment_text(text)
    _check_stance(stance)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("topic").get(pk=comment.pk)
        if not comment.is_visible:
            raise ValidationError(_("A deleted or hidden comment cannot be changed."))
        if comment.text != text or comment.stance != stance:
            comment.text = text
            comment.stance = stance
            comment.edited_at = timezone.now()
            comment.full_clean(validate_constraints=False)
            comment.save(update_fields=["text", "stance", "edited_at"])
            discussion_changed(comment.topic_id, comment.topic.slug)
    return comment


def comment_delete(*, comment, author) -> Comment:
    """Delete one's own comment while the topic is open.

    The text is erased from the database at once (not kept for moderators, nor
    in the author's export); the queued or sent mails that quote it (reply mails,
    the mail about hiding it), found by reference, are rendered again with
    "[removed]" instead, and no other mail changes. The row stays, marked
    deleted, so replies keep their context under a placeholder. Deleting twice
    is harmless.
    """
    refuse_unless(author, "feedback.delete_own_comment", comment)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("topic").get(pk=comment.pk)
        if not comment.is_deleted:
            comment.is_deleted = True
            comment.deleted_at = timezone.now()
            comment.text = ""
            comment.stance = ""
            comment.is_featured = False
            comment.save(update_fields=["is_deleted", "deleted_at", "text", "stance", "is_featured"])
            # Rendered again from the emptied row: the mails are found by reference, never by the text.
            privacy.mails_quoting_rerender(comment_ids=[comment.pk])
            discussion_changed(comment.topic_id, comment.topic.slug)
    return comment


def report_create(*, comment, reporter, reason, explanation="", notify_outcome=True) -> Report:
    """Report someone else's visible comment to the moderators, once per reporter.

    With ``notify_outcome`` the reporter is mailed the moderators' decision.
    """
    refuse_unless(reporter, "feedback.report_comment", comment)
    if reason not in ReportReason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    explanation = clean_text(explanation)
    check_length(
        explanation,
        field="explanation",
        limit=Report.EXPLANATION_MAX_LENGTH,
        message=_("The explanation can be at most %(max)s characters; yours has %(count)s."),
    )
    already = ValidationError(_("You have already reported this comment. The moderators will look at it."))
    with transaction.atomic():
        comment = Comment.objects.select_related("topic").get(pk=comment.pk)
        if not comment.is_visible:
            raise ValidationError(_("This comment is no longer shown."))
        if Report.objects.filter(comment=comment, reporter=reporter).exists():
            raise already
        report = Report(
            comment=comment,
            reporter=reporter,
            reason=reason,
            explanation=explanation,
            notify_outcome=bool(notify_outcome),
        )
        report.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            raise already from None
        pagecache.bump(QUEUES)
    return report


# --- Proposals ----------------------------------------------------------------------


def proposal_text_clean(*, text, explanation, empty_message):
    """A proposal's text and explanation as stored: cleaned, the text not empty, both within their length.

    Raises ``ValidationError`` at the field; ``empty_message`` says what to do about an empty text.
    """
    text = clean_text(text)
    explanation = clean_text(explanation)
    if not text:
        raise ValidationError({"text": empty_message})
    check_length(
        text,
        field="text",
        limit=Proposal.TEXT_MAX_LENGTH,
        message=_("A proposal can be at most %(max)s characters; yours has %(count)s."),
    )
    check_length(
        explanation,
        field="explanation",
        limit=Proposal.EXPLANATION_MAX_LENGTH,
        message=_("The explanation can be at most %(max)s characters; yours has %(count)s."),
    )
    return text, explanation


def proposal_submit(*, author, topic, text, explanation=""):
    """Store a participant's proposal for a missing recommendation, waiting for review.

    Guarantees: only a participant who may contribute, only while the topic is
    open; text 1-600 characters (``Proposal.TEXT_MAX_LENGTH``); nothing is public until a moderator approves;
    the same text sent twice (double click, retry) is stored once.
    """
    refuse_unless(author, "feedback.propose", topic)
    text, explanation = proposal_text_clean(
        text=text, explanation=explanation, empty_message=_("Write the recommendation you propose.")
    )
    with transaction.atomic():
        existing = Proposal.objects.filter(
            author=author, topic=topic, text=text, status=Proposal.Status.PENDING
        ).first()
        if existing:
            return existing
        proposal = Proposal(author=author, topic=topic, text=text, explanation=explanation)
        proposal.full_clean()
        proposal.save()
        pagecache.bump(QUEUES)
        return proposal


def topic_follow(*, participant, topic) -> TopicFollow:
    """Follow ``topic``: from now on a daily mail about what is new there.

    Following twice (a double click, two tabs) keeps the one follow: the unique
    constraint decides a race and the loser gets the row the winner made.
    """
    refuse_unless(participant, "feedback.follow", topic)
    try:
        with transaction.atomic():
            follow, _created = TopicFollow.objects.get_or_create(participant=participant, topic=topic)
    except IntegrityError:
        follow = TopicFollow.objects.get(participant=participant, topic=topic)
    pagecache.reader_changed(participant.pk)
    return follow


def topic_unfollow(*, participant, topic=None) -> int:
    """Stop following ``topic`` (or every topic when None); returns how many follows ended. Safe to repeat."""
    follows = TopicFollow.objects.filter(participant=participant)
    if topic is not None:
        follows = follows.filter(topic=topic)
    with transaction.atomic():
        deleted, _by_model = follows.delete()
    pagecache.reader_changed(participant.pk)
    return deleted
