"""Moderators' decisions: comments, reports, proposals, official responses, topic dates, blocks, text corrections.

Every decision here
- asks its permission (moderators, in any phase) and refuses an empty reason
  with an error at the field (``ValidationError({"reason": ...})``);
- runs in one transaction that first locks the row decided on
  (``SELECT ... FOR UPDATE``), so when two moderators act at once the second
  finds the first one's result: a decision already taken is not taken again,
  writes no second audit entry and sends no second mail;
- writes one ``AuditEntry`` (who, what, before, after, why);
- queues its mails after commit (``moderation_tasks.send_decision_mail`` with the audit
  entry's id, delivered once per person by ``moderation_mail``); a mail that
  fails is retried by the queue and never undoes the decision.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.services import user_block, user_unblock
from topics import pagecache
from topics.models import Consideration, Recommendation, Source, TextRevision, Topic

from . import moderation_tasks
from .models import AuditAction, AuditEntry, Comment, HideReason, OfficialResponse, Proposal, Report, ReportOutcome
from .services import proposal_text_clean, refuse_unless
from .text import check_length, clean_text

# The reasons a moderator chooses from; "author_blocked" is set by participant_block only.
HIDE_REASONS = [
    HideReason.OFF_TOPIC,
    HideReason.PERSONAL_ATTACK,
    HideReason.PERSONAL_DATA,
    HideReason.SPAM,
    HideReason.OTHER,
]
HIDE_REASON_CHOICES = [(reason.value, reason.label) for reason in HIDE_REASONS]
REASON_MAX_LENGTH = 1000


# --- Audit log ----------------------------------------------------------------------


def _target_repr(target):
    label = target._meta.verbose_name
    if isinstance(target, (Topic, Recommendation, Consideration)):
        return f"{label} #{target.pk}: {target}"[:200]
    # Comments, proposals and people by number only: their words and names may
    # have to be erased later, and this log is never changed.
    return f"{label} #{target.pk}"


def audit_record(*, actor, action, target, topic=None, old_state=None, new_state=None, reason="") -> AuditEntry:
    """Append one entry to the audit log (also for content edits made elsewhere, e.g. in the admin)."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=str(target.pk),
        target_repr=_target_repr(target),
        topic=topic,
        old_state=old_state or {},
        new_state=new_state or {},
        reason=reason,
    )
    entry.full_clean()
    entry.save()
    # Every moderation decision passes here, and what it changed may be on any cached
    # anonymous page (a hidden comment, an official response, a schedule, a new recommendation).
    pagecache.bump(pagecache.CONTENT)
    return entry


def _mail_after_commit(entry):
    entry_id = entry.pk
    # robust: an error while queueing the mail is logged and never reaches the decision, which is committed.
    transaction.on_commit(lambda: moderation_tasks.send_decision_mail.delay(entry_id), robust=True)


def _required(value, field, message):
    value = clean_text(value)
    if not value:
        raise ValidationError({field: message})
    check_length(
        value,
        field=field,
        limit=REASON_MAX_LENGTH,
        message=_("This can be at most %(max)s characters; yours has %(count)s."),
    )
    return value


def _lock(model, obj, *related):
    return model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=obj.pk)


# --- Comments and reports -----------------------------------------------------------


def comment_hide(*, comment, moderator, reason_code, reason_text="") -> Comment:
    """Hide a comment for everyone, with a reason from the list (and an explanation, required for "other").

    The public sees a placeholder with the date and the reason; replies stay.
    Open reports on the comment are resolved as "hidden". The author gets a mail
    with the reason and how to object; reporters who asked are told the outcome.
    The text stays for moderators until the retention period ends.
    Hiding a comment that is already hidden changes nothing.
    """
    refuse_unless(moderator, "feedback.hide_comment", comment)
    if reason_code not in HIDE_REASONS:
        raise ValidationError({"reason_code": _("Choose a reason from the list.")})
    reason_text = clean_text(reason_text)
    if reason_code == HideReason.OTHER and not reason_text:
        raise ValidationError(
            {
                "reason_text": _(
                    "Explain the reason. With “Other reason” an explanation is required; it is shown publicly."
                )
            }
        )
    check_length(
        reason_text,
        field="reason_text",
        limit=REASON_MAX_LENGTH,
        message=_("This can be at most %(max)s characters; yours has %(count)s."),
    )
    with transaction.atomic():
        return _hide(comment, moderator, reason_code, reason_text, notify_author=True)


def _hide(comment, moderator, reason_code, reason_text, *, notify_author):
    comment = _lock(Comment, comment, "topic")
    if comment.is_hidden:
        return comment
    if comment.is_deleted:
        raise ValidationError(_("The author deleted this comment; there is nothing to hide."))
    now = timezone.now()
    comment.is_hidden = True
    comment.hidden_reason_code = reason_code
    comment.hidden_reason = reason_text
    comment.hidden_by = moderator
    comment.hidden_at = now
    comment.full_clean(validate_constraints=False)
    comment.save(update_fields=["is_hidden", "hidden_reason_code", "hidden_reason", "hidden_by", "hidden_at"])
    reports, notify = _resolve_open_reports(comment, moderator, ReportOutcome.HIDDEN, now)
    entry = audit_record(
        actor=moderator,
        action=AuditAction.COMMENT_HIDE,
        target=comment,
        topic=comment.topic,
        old_state={"is_hidden": False},
        new_state={
            "is_hidden": True,
            "reason_code": reason_code,
            # Public already (shown in the placeholder); kept so the author's mail can be rendered again as sent.
            "reason_text": reason_text,
            "reports_resolved": reports,
            "notify_author": notify_author,
            "notify_reporters": notify,
        },
        reason=comment.public_hidden_reason,
    )
    _mail_after_commit(entry)
    return comment


def _resolve_open_reports(comment, moderator, outcome, now):
    open_reports = list(
        Report.objects.select_for_update()
        .filter(comment=comment, resolved_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "reporter_id", "notify_outcome")
    )
    ids = [pk for pk, _reporter, _notify in open_reports]
    Report.objects.filter(pk__in=ids).update(resolved_at=now, resolved_by=moderator, outcome=outcome)
    return ids, sorted({reporter for _pk, reporter, notify in open_reports if notify})


def comment_restore(*, comment, moderator) -> Comment:
    """Show a hidden comment again (undoes ``comment_hide``); logged. Not possible once its text was erased."""
    refuse_unless(moderator, "feedback.hide_comment", comment)
    with transaction.atomic():
        comment = _lock(Comment, comment, "topic")
        if not comment.is_hidden:
            return comment
        if comment.text_erased_at:
            raise ValidationError(_("The text of this comment was erased at the end of the retention period."))
        old = {"is_hidden": True, "reason_code": comment.hidden_reason_code, "hidden_by": comment.hidden_by_id}
        reason = comment.public_hidden_reason
        comment.is_hidden = False
        comment.hidden_reason_code = ""
        comment.hidden_reason = ""
        comment.hidden_by = None
        comment.hidden_at = None
        comment.save(update_fields=["is_hidden", "hidden_reason_code", "hidden_reason", "hidden_by", "hidden_at"])
        audit_record(
            actor=moderator,
            action=AuditAction.COMMENT_RESTORE,
            target=comment,
            topic=comment.topic,
            old_state=old,
            new_state={"is_hidden": False},
            reason=reason,
        )
    return comment


def reports_resolve(*, comment, moderator, outcome, reason_code="", reason_text="") -> int:
    """Resolve all open reports on ``comment`` at once; returns how many.

    ``outcome`` "hidden" hides the comment (with ``reason_code``/``reason_text``,
    as ``comment_hide``) unless it is hidden already; "no_action" leaves it
    shown. Reporters who asked get one mail with the outcome. When another
    moderator resolved the reports first, nothing happens and 0 is returned.
    """
    refuse_unless(moderator, "feedback.hide_comment", comment)
    if outcome not in ReportOutcome.values:
        raise ValidationError({"outcome": _("Choose: hide the comment, or no action.")})
    if outcome == ReportOutcome.HIDDEN and not Comment.objects.filter(pk=comment.pk, is_hidden=True).exists():
        before = Report.objects.filter(comment=comment, resolved_at__isnull=True).count()
        hidden = comment_hide(comment=comment, moderator=moderator, reason_code=reason_code, reason_text=reason_text)
        return before if hidden.hidden_by_id == moderator.pk else 0
    with transaction.atomic():
        comment = _lock(Comment, comment, "topic")
        reports, notify = _resolve_open_reports(comment, moderator, outcome, timezone.now())
        if not reports:
            return 0
        entry = audit_record(
            actor=moderator,
            action=AuditAction.REPORTS_RESOLVE,
            target=comment,
            topic=comment.topic,
            old_state={"open_reports": reports},
            new_state={"outcome": outcome, "reports_resolved": reports, "notify_reporters": notify},
        )
        _mail_after_commit(entry)
    return len(reports)


def comment_feature(*, comment, moderator, featured: bool) -> Comment:
    """Mark a visible comment as featured ("Uitgelicht") or take the mark away; logged."""
    refuse_unless(moderator, "feedback.feature_comment", comment)
    with transaction.atomic():
        comment = _lock(Comment, comment, "topic")
        if comment.is_featured == bool(featured):
            return comment
        if featured and not comment.is_visible:
            raise ValidationError(_("Only a comment that is shown can be featured."))
        comment.is_featured = bool(featured)
        comment.save(update_fields=["is_featured"])
        audit_record(
            actor=moderator,
            action=AuditAction.COMMENT_FEATURE if featured else AuditAction.COMMENT_UNFEATURE,
            target=comment,
            topic=comment.topic,
            old_state={"is_featured": not featured},
            new_state={"is_featured": bool(featured)},
        )
    return comment


# --- Proposals ----------------------------------------------------------------------


def _lock_pending(proposal, done_status):
    """The proposal, locked; None when it already has ``done_status`` (another moderator was first)."""
    proposal = _lock(Proposal, proposal, "topic", "author")
    if proposal.status == done_status:
        return None
    if proposal.status != Proposal.Status.PENDING:
        raise ValidationError(
            _("This proposal was already handled: %(status)s.") % {"status": proposal.get_status_display()}
        )
    return proposal


def proposal_correct(*, proposal, moderator, text, explanation, reason) -> Proposal:
    """Correct a waiting proposal's text and explanation before deciding (a typo, personal data).

    The proposer's own words are kept on the proposal (``original_text``,
    ``original_explanation``, from the first correction) for moderators.
    """
    refuse_unless(moderator, "feedback.decide_proposal", proposal)
    text, explanation = proposal_text_clean(
        text=text, explanation=explanation, empty_message=_("The recommendation cannot be empty.")
    )
    reason = _required(reason, "reason", _("Say why you correct the text. The proposer's own text is kept."))
    with transaction.atomic():
        proposal = _lock(Proposal, proposal, "topic")
        if proposal.status != Proposal.Status.PENDING:
            raise ValidationError(_("Only a proposal that waits for review can be corrected."))
        if proposal.text == text and proposal.explanation == explanation:
            return proposal
        changed = {"text": proposal.text != text, "explanation": proposal.explanation != explanation}
        if not proposal.corrected_at:
            proposal.original_text = proposal.text
            proposal.original_explanation = proposal.explanation
        proposal.text = text
        proposal.explanation = explanation
        proposal.corrected_at = timezone.now()
        proposal.full_clean()
        proposal.save()
        audit_record(
            actor=moderator,
            action=AuditAction.PROPOSAL_CORRECT,
            target=proposal,
            topic=proposal.topic,
            old_state={"status": proposal.status},
            new_state={"text_changed": changed["text"], "explanation_changed": changed["explanation"]},
            reason=reason,
        )
    return proposal


def _proposal_decide(proposal, *, moderator, status, action, decide, reason=""):
    """Lock a waiting proposal, give it ``status``, log the decision and mail the proposer after commit.

    ``decide(locked)`` runs inside the transaction on the locked proposal: it sets
    what this decision adds and returns what the audit entry records besides the
    status. When another moderator already took this decision, nothing is changed,
    logged or mailed and the proposal is returned as stored.
    """
    with transaction.atomic():
        locked = _lock_pending(proposal, status)
        if locked is None:
            return Proposal.objects.get(pk=proposal.pk)
        proposal = locked
        recorded = decide(proposal)
        proposal.status = status
        proposal.decided_by = moderator
        proposal.decided_at = timezone.now()
        proposal.full_clean()
        proposal.save()
        entry = audit_record(
            actor=moderator,
            action=action,
            target=proposal,
            topic=proposal.topic,
            old_state={"status": Proposal.Status.PENDING},
            new_state={"status": proposal.status, **recorded},
            reason=reason,
        )
        _mail_after_commit(entry)
    return proposal


def proposal_approve(*, proposal, moderator) -> Proposal:
    """Publish a waiting proposal as a recommendation ("Voorgesteld door deelnemers") and mail the proposer.

    The recommendation gets source "participant", proposed_by the author and the
    next free position (the topic row is locked so two approvals cannot take the
    same place); approving twice publishes once and mails once.
    """
    refuse_unless(moderator, "feedback.decide_proposal", proposal)

    def publish(locked):
        topic = Topic.objects.select_for_update().get(pk=locked.topic_id)
        position = (Recommendation.objects.filter(topic=topic).aggregate(m=Max("position"))["m"] or 0) + 1
        recommendation = Recommendation(
            topic=topic,
            position=position,
            text=locked.text,
            source=Source.PARTICIPANT,
            is_published=True,
            proposed_by_id=locked.author_id,
        )
        recommendation.full_clean()
        recommendation.save()
        locked.recommendation = recommendation
        return {"recommendation": recommendation.pk}

    return _proposal_decide(
        proposal,
        moderator=moderator,
        status=Proposal.Status.APPROVED,
        action=AuditAction.PROPOSAL_APPROVE,
        decide=publish,
    )


def proposal_reject(*, proposal, moderator, reason) -> Proposal:
    """Decline a waiting proposal with a reason, which the proposer gets by mail."""
    refuse_unless(moderator, "feedback.decide_proposal", proposal)
    reason = _required(reason, "reason", _("Give the reason. The proposer gets it by e-mail."))

    def note(locked):
        locked.moderator_note = reason
        return {}

    return _proposal_decide(
        proposal,
        moderator=moderator,
        status=Proposal.Status.REJECTED,
        action=AuditAction.PROPOSAL_REJECT,
        decide=note,
        reason=reason,
    )


def proposal_mark_duplicate(*, proposal, moderator, recommendation) -> Proposal:
    """Close a waiting proposal as already covered by a published recommendation of its topic; mail the proposer."""
    refuse_unless(moderator, "feedback.decide_proposal", proposal)
    if recommendation is None or recommendation.topic_id != proposal.topic_id or not recommendation.is_published:
        raise ValidationError({"recommendation": _("Choose a published recommendation of the same topic.")})

    def point_to(locked):
        locked.duplicate_of = recommendation
        return {"duplicate_of": recommendation.pk}

    return _proposal_decide(
        proposal,
        moderator=moderator,
        status=Proposal.Status.DUPLICATE,
        action=AuditAction.PROPOSAL_DUPLICATE,
        decide=point_to,
    )


# --- Official responses -------------------------------------------------------------


def official_response_set(*, target, moderator, text) -> OfficialResponse:
    """Write or change the programme team's response to a recommendation or a comment.

    The first response is mailed to everyone who voted on or commented on the
    target and wants updates (``notify_updates``); a later correction of the
    text is logged but not mailed again.
    """
    if not isinstance(target, (Recommendation, Comment)):
        raise TypeError("An official response is for a Recommendation or a Comment.")
    refuse_unless(moderator, "feedback.respond_officially", target)
    text = clean_text(text)
    if not text:
        raise ValidationError({"text": _("Write the response.")})
    check_length(
        text,
        field="text",
        limit=OfficialResponse.TEXT_MAX_LENGTH,
        message=_("A response can be at most %(max)s characters; yours has %(count)s."),
    )
    field = "recommendation" if isinstance(target, Recommendation) else "comment"
    with transaction.atomic():
        target = _lock(type(target), target, "topic")
        response = OfficialResponse.objects.select_for_update().filter(**{field: target}).first()
        old_text = response.text if response else ""
        if response and response.text == text:
            return response
        created = response is None
        if created:
            response = OfficialResponse(**{field: target})
        response.text = text
        response.author = moderator
        response.full_clean()
        response.save()
        entry = audit_record(
            actor=moderator,
            action=AuditAction.OFFICIAL_RESPONSE_SET,
            target=target,
            topic=target.topic,
            old_state={"text": old_text},
            new_state={"text": text, "response": response.pk, "notify": created},
        )
        if created:
            _mail_after_commit(entry)
    return response


# --- Topics and participants --------------------------------------------------------


def topic_schedule(*, topic, moderator, opens_at, closes_at) -> Topic:
    """Open, close or reschedule a topic (either date may be empty: open from / until always); logged."""
    refuse_unless(moderator, "feedback.schedule_topic", topic)
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The closing time must be after the opening time.")})
    with transaction.atomic():
        topic = _lock(Topic, topic)
        if topic.opens_at == opens_at and topic.closes_at == closes_at:
            return topic
        old = {"opens_at": _iso(topic.opens_at), "closes_at": _iso(topic.closes_at)}
        topic.opens_at = opens_at
        topic.closes_at = closes_at
        topic.full_clean()
        topic.save(update_fields=["opens_at", "closes_at", "updated_at"])
        audit_record(
            actor=moderator,
            action=AuditAction.TOPIC_SCHEDULE,
            target=topic,
            topic=topic,
            old_state=old,
            new_state={"opens_at": _iso(opens_at), "closes_at": _iso(closes_at)},
        )
    return topic


def _iso(value):
    return value.isoformat() if value else None


def participant_block(*, user, moderator, reason, hide_comments=False):
    """Block a participant with a reason (they can read, not take part) and mail them the reason and contact address.

    With ``hide_comments`` their shown comments are hidden at once ("the author
    was blocked"), each logged; reporters who asked are told. Blocking someone
    already blocked changes nothing.
    """
    reason = _required(reason, "reason", _("Give the reason. The participant gets it by e-mail."))
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        if user.is_blocked:
            return user
        user_block(user=user, moderator=moderator, reason=reason)
        hidden = 0
        if hide_comments:
            for comment in Comment.objects.filter(author=user, is_hidden=False, is_deleted=False).order_by("pk"):
                _hide(comment, moderator, HideReason.AUTHOR_BLOCKED, "", notify_author=False)
                hidden += 1
        entry = audit_record(
            actor=moderator,
            action=AuditAction.PARTICIPANT_BLOCK,
            target=user,
            old_state={"is_blocked": False},
            new_state={"is_blocked": True, "comments_hidden": hidden},
            reason=reason,
        )
        _mail_after_commit(entry)
    return user


def participant_unblock(*, user, moderator, reason):
    """Lift a block with a reason; the participant is mailed. Comments hidden with the block stay hidden."""
    reason = _required(reason, "reason", _("Give the reason. The participant gets it by e-mail."))
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        if not user.is_blocked:
            return user
        old_reason = user.blocked_reason
        user_unblock(user=user, moderator=moderator)
        entry = audit_record(
            actor=moderator,
            action=AuditAction.PARTICIPANT_UNBLOCK,
            target=user,
            old_state={"is_blocked": True, "blocked_reason": old_reason},
            new_state={"is_blocked": False},
            reason=reason,
        )
        _mail_after_commit(entry)
    return user


# --- Workshop text ------------------------------------------------------------------


def item_text_correct(*, item, moderator, text, reason):
    """Correct the text of a consideration or recommendation (a typo), never silently.

    A reason is always required (the message says more when the
    recommendation already has votes: a change of meaning is a new
    recommendation, not an edit). The previous text is kept as a
    ``TextRevision``; the site shows "Text changed on <date>" with it.
    """
    if not isinstance(item, (Consideration, Recommendation)):
        raise TypeError("item_text_correct takes a Consideration or a Recommendation.")
    refuse_unless(moderator, "feedback.correct_text", item.topic)
    text = clean_text(text)
    if not text:
        raise ValidationError({"text": _("The text cannot be empty.")})
    has_votes = isinstance(item, Recommendation) and item.votes.exists()
    if has_votes:
        message = _(
            "This recommendation already has votes. Give the reason for the correction; it is shown with "
            "the previous text. A change of meaning needs a new recommendation, not an edit."
        )
    else:
        message = _("Give the reason for the correction. It is shown with the previous text.")
    reason = _required(reason, "reason", message)
    with transaction.atomic():
        item = _lock(type(item), item, "topic")
        if item.text == text:
            return item
        old_text = item.text
        field = "recommendation" if isinstance(item, Recommendation) else "consideration"
        revision = TextRevision(**{field: item}, old_text=old_text, new_text=text, reason=reason, changed_by=moderator)
        revision.full_clean()
        revision.save()
        item.text = text
        item.full_clean()
        item.save(update_fields=["text", "updated_at"])
        audit_record(
            actor=moderator,
            action=AuditAction.ITEM_TEXT_CORRECT,
            target=item,
            topic=item.topic,
            old_state={"text": old_text},
            new_state={"text": text, "revision": revision.pk, "had_votes": has_votes},
            reason=reason,
        )
    return item
