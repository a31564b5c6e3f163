"""Mails about moderation decisions, and the moderators' hourly digest.

``moderation`` queues ``moderation_tasks.send_decision_mail`` with an audit entry's id
after commit; the task calls ``decision_mail_send`` here, which works out from
the entry who is told what. A ``DecisionMail`` row per entry and recipient,
stored in the same transaction as the queued mail, makes a second run send
nothing twice.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from post_office.models import Email

from participants import mailqueue
from participants.roles import MODERATOR
from topics.models import Recommendation

from .models import (
    AuditAction,
    AuditEntry,
    Comment,
    DecisionMail,
    HideReason,
    ModerationDigest,
    Proposal,
    Report,
    ReportOutcome,
)

DIGEST_INTERVAL = timedelta(hours=1)
# The one decision mail that quotes a comment: the author's, about why it was hidden.
HIDDEN_TEMPLATE = "comment_hidden"


def _reachable(user):
    return bool(user and user.is_active and not user.deleted_at and user.email)


def _render(recipient, template, context):
    """(subject, body) of ``feedback/email/<template>_subject.txt`` and ``.txt`` in the recipient's language."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = {
            **context,
            "recipient": recipient,
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
            "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        }
        subject = settings.EMAIL_SUBJECT_PREFIX + " ".join(
            render_to_string(f"feedback/email/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"feedback/email/{template}.txt", context)
    return subject, body


def _send(recipient, template, context):
    """Queue the mail (post_office, delivered after commit); returns the queued ``Email``."""
    subject, body = _render(recipient, template, context)
    return mailqueue.queue(recipients=[recipient.email], subject=subject, message=body)


def _users(ids):
    return list(get_user_model().objects.filter(pk__in=ids).order_by("pk"))


def _hidden_context(entry, comment):
    """What the mail telling ``comment``'s author about hide ``entry`` shows."""
    code = entry.new_state.get("reason_code", "")
    return {
        "comment": comment,
        "comment_url": settings.SITE_URL + comment.get_absolute_url(),
        "reason_label": HideReason(code).label if code in HideReason.values else "",
        # The explanation of this hide; entries from before it was recorded there have only the comment's own.
        "reason_text": entry.new_state.get("reason_text", comment.hidden_reason),
        "hidden_at": comment.hidden_at,
    }


def _comment_mails(entry):
    comment = Comment.objects.select_related("topic", "author", "recommendation").get(pk=entry.object_id)
    url = settings.SITE_URL + comment.get_absolute_url()
    state = entry.new_state
    if entry.action == AuditAction.COMMENT_HIDE and state.get("notify_author"):
        yield comment.author, HIDDEN_TEMPLATE, _hidden_context(entry, comment)
    outcome = ReportOutcome.HIDDEN if entry.action == AuditAction.COMMENT_HIDE else state.get("outcome")
    for reporter in _users(state.get("notify_reporters", [])):
        yield reporter, "report_outcome", {"comment": comment, "comment_url": url, "outcome": outcome}


def _proposal_mails(entry):
    proposal = Proposal.objects.select_related("topic", "author", "recommendation", "duplicate_of").get(
        pk=entry.object_id
    )
    template = {
        AuditAction.PROPOSAL_APPROVE: "proposal_approved",
        AuditAction.PROPOSAL_REJECT: "proposal_rejected",
        AuditAction.PROPOSAL_DUPLICATE: "proposal_duplicate",
    }[entry.action]
    published = proposal.recommendation or proposal.duplicate_of
    context = {
        "proposal": proposal,
        "topic": proposal.topic,
        "reason": entry.reason,
        "recommendation": published,
        "recommendation_url": settings.SITE_URL + _recommendation_url(published) if published else "",
    }
    yield proposal.author, template, context


def _recommendation_url(recommendation):
    return reverse(
        "feedback:recommendation_detail", kwargs={"slug": recommendation.topic.slug, "pk": recommendation.pk}
    )


def official_response_recipients(*, target):
    """Who is told of a new official response: those who voted on or commented on ``target`` and want updates.

    For a recommendation: its voters and the authors of comments on it; for a
    comment: its author and the authors of replies to it. Deleted, inactive
    and unsubscribed accounts are left out.
    """
    users = get_user_model().objects.filter(is_active=True, deleted_at__isnull=True, notify_updates=True)
    if isinstance(target, Recommendation):
        who = Q(votes__recommendation=target) | Q(comments__recommendation=target, comments__is_deleted=False)
    else:
        who = Q(pk=target.author_id) | Q(comments__parent=target, comments__is_deleted=False)
    return users.filter(who).exclude(email="").distinct().order_by("pk")


def _official_response_mails(entry):
    if not entry.new_state.get("notify"):
        return
    model = entry.content_type.model_class()
    target = model.objects.select_related("topic").get(pk=entry.object_id)
    response = target.official_response
    if isinstance(target, Recommendation):
        url = settings.SITE_URL + _recommendation_url(target)
    else:
        url = settings.SITE_URL + target.get_absolute_url()
    is_recommendation = isinstance(target, Recommendation)
    for user in official_response_recipients(target=target):
        yield (
            user,
            "official_response",
            {"target": target, "is_recommendation": is_recommendation, "response": response, "url": url},
        )


def _block_mails(entry):
    user = get_user_model().objects.get(pk=entry.object_id)
    template = "participant_blocked" if entry.action == AuditAction.PARTICIPANT_BLOCK else "participant_unblocked"
    yield user, template, {"reason": entry.reason}


BUILDERS = {
    AuditAction.COMMENT_HIDE: _comment_mails,
    AuditAction.REPORTS_RESOLVE: _comment_mails,
    AuditAction.PROPOSAL_APPROVE: _proposal_mails,
    AuditAction.PROPOSAL_REJECT: _proposal_mails,
    AuditAction.PROPOSAL_DUPLICATE: _proposal_mails,
    AuditAction.OFFICIAL_RESPONSE_SET: _official_response_mails,
    AuditAction.PARTICIPANT_BLOCK: _block_mails,
    AuditAction.PARTICIPANT_UNBLOCK: _block_mails,
}


def decision_mail_send(*, entry_id) -> int:
    """Queue the mails about audit entry ``entry_id``; returns how many were queued now.

    Guarantees: each person concerned gets one mail per decision, also when this
    runs twice or twice at once (the ``DecisionMail`` unique constraint decides,
    in the same transaction as the queued mail); never to a deleted or inactive
    account. Each mail is in the recipient's language.
    """
    entry = AuditEntry.objects.select_related("content_type").get(pk=entry_id)
    builder = BUILDERS.get(entry.action)
    if builder is None:
        return 0
    queued = 0
    for recipient, template, context in builder(entry):
        if not _reachable(recipient):
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    link = DecisionMail.objects.create(entry=entry, recipient=recipient)
            except IntegrityError:
                continue
            link.email = _send(recipient, template, context)
            link.save(update_fields=["email"])
        queued += 1
    return queued


def hidden_mails_rerender(*, comment_ids) -> int:
    """Render again the kept mails that told authors why ``comment_ids`` were hidden, from the rows as they are now.

    Called once a comment's text is deleted or erased: the quote becomes
    "[removed]" (in the recipient's language). The mails are found by reference
    (``DecisionMail.email``), never by searching text, so no other mail
    changes; a mail post_office no longer keeps has nothing left to change.
    Returns how many mails were rendered again.
    """
    links = (
        DecisionMail.objects.filter(
            entry__action=AuditAction.COMMENT_HIDE,
            entry__content_type=ContentType.objects.get_for_model(Comment),
            entry__object_id__in=[str(pk) for pk in comment_ids],
            email__isnull=False,
        )
        .select_related("entry", "recipient")
        .order_by("pk")
    )
    comments = Comment.objects.select_related("topic", "author", "recommendation").in_bulk(comment_ids)
    count = 0
    for link in links:
        comment = comments.get(int(link.entry.object_id))
        if comment is None or link.recipient_id != comment.author_id:
            continue  # only the author's mail quotes the comment; the reporters' do not
        recipient = link.recipient
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            if comment.is_deleted or not comment.text:
                comment.text = _("[removed]")
            subject, body = _render(recipient, HIDDEN_TEMPLATE, _hidden_context(link.entry, comment))
        count += Email.objects.filter(pk=link.email_id).update(subject=subject, message=body)
    return count


# --- Digest -------------------------------------------------------------------------


def digest_recipients():
    """Moderators (by the role's key permission, or superusers) who want the digest, with an address."""
    app_label, codename = MODERATOR.key.split(".")
    holds = Q(user_permissions__content_type__app_label=app_label, user_permissions__codename=codename) | Q(
        groups__permissions__content_type__app_label=app_label, groups__permissions__codename=codename
    )
    return (
        get_user_model()
        .objects.filter(holds | Q(is_superuser=True))
        .filter(is_active=True, is_staff=True, deleted_at__isnull=True, notify_moderation_digest=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def moderation_digest_send(*, now=None) -> int:
    """Mail the moderators one digest of the reports and proposals that came in since the last one.

    Guarantees: at most one digest an hour (the digest row is locked and records
    when it was sent, so two runs at once send one); nothing is sent when there
    is nothing new; moderators who turned the digest off get none. Returns the
    number of mails queued.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ModerationDigest.load()
        digest = ModerationDigest.objects.select_for_update().get(pk=1)
        if digest.sent_at and now < digest.sent_at + DIGEST_INTERVAL:
            return 0
        since = digest.covered_until
        reports = Report.objects.filter(created_at__lte=now, resolved_at__isnull=True)
        proposals = Proposal.objects.filter(created_at__lte=now, status=Proposal.Status.PENDING)
        if since:
            reports = reports.filter(created_at__gt=since)
            proposals = proposals.filter(created_at__gt=since)
        reports = list(reports.select_related("comment__topic").order_by("created_at"))
        proposals = list(proposals.select_related("topic").order_by("created_at"))
        if not reports and not proposals:
            return 0
        context = {
            "reports": reports,
            "proposals": proposals,
            "reports_url": settings.SITE_URL + reverse("admin:feedback_report_changelist"),
            "proposals_url": settings.SITE_URL + reverse("admin:feedback_proposal_changelist"),
        }
        sent = 0
        for moderator in digest_recipients():
            _send(moderator, "moderation_digest", context)
            sent += 1
        digest.covered_until = now
        digest.sent_at = now
        digest.save()
    return sent
