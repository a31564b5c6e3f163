"""Feedback's privacy section: what participants did here, in the download and on account deletion.

Registered from ``FeedbackConfig.ready()`` with ``participants.exports``. It
also covers ``Recommendation.proposed_by`` (topics' table): only approving a
proposal fills it in, and topics may not import the participants registry.
"""

from django.utils import timezone

from topics import pagecache
from topics.models import Recommendation, TextRevision

from .models import AuditEntry, Comment, DecisionMail, OfficialResponse, Priority, Proposal, Report, TopicFollow, Vote
from .moderation_mail import hidden_mails_rerender
from .notifications import reply_mails_rerender, reply_mails_rerender_without
from .results.publication import publish


def _dt(value):
    return value.isoformat() if value else None


def export_votes(user):
    return [
        {
            "topic": v.recommendation.topic.title,
            "recommendation_id": v.recommendation_id,
            "recommendation": v.recommendation.text,
            "choice": v.choice,
            "created_at": _dt(v.created_at),
            "updated_at": _dt(v.updated_at),
        }
        for v in Vote.objects.filter(participant=user).select_related("recommendation__topic").order_by("id")
    ]


def export_priorities(user):
    return [
        {
            "topic": p.topic.title,
            "recommendation_id": p.recommendation_id,
            "recommendation": p.recommendation.text,
            "created_at": _dt(p.created_at),
        }
        for p in Priority.objects.filter(participant=user).select_related("recommendation", "topic").order_by("id")
    ]


def export_comments(user):
    return [
        {
            "id": c.pk,
            "topic": c.topic.title,
            "recommendation_id": c.recommendation_id,
            "reply_to": c.parent_id,
            "text": c.text,
            "stance": c.stance,
            "created_at": _dt(c.created_at),
            "edited_at": _dt(c.edited_at),
            "deleted": c.is_deleted,
            "hidden": c.is_hidden,
            "hidden_reason": c.hidden_reason,
            "form_token": str(c.client_token) if c.client_token else None,
            "reply_mail_sent_at": _dt(c.reply_mail_sent_at),
        }
        for c in Comment.objects.filter(author=user).select_related("topic").order_by("id")
    ]


def export_reports(user):
    return [
        {
            "comment_id": r.comment_id,
            "reason": r.reason,
            "explanation": r.explanation,
            "created_at": _dt(r.created_at),
            "resolved_at": _dt(r.resolved_at),
        }
        for r in Report.objects.filter(reporter=user).order_by("id")
    ]


def export_proposals(user):
    return [
        {
            "topic": p.topic.title,
            "text": p.text,
            "explanation": p.explanation,
            "status": p.status,
            "moderator_note": p.moderator_note,
            "created_at": _dt(p.created_at),
            "decided_at": _dt(p.decided_at),
            "recommendation_id": p.recommendation_id,
        }
        for p in Proposal.objects.filter(author=user).select_related("topic").order_by("id")
    ]


def export_recommendations_proposed(user):
    return [
        {"id": r.pk, "topic": r.topic.title, "text": r.text, "published": r.is_published}
        for r in Recommendation.objects.filter(proposed_by=user).select_related("topic").order_by("id")
    ]


def export_follows(user):
    return [
        {"topic": f.topic.title, "since": _dt(f.created_at), "last_mail_up_to": _dt(f.last_digest_at)}
        for f in TopicFollow.objects.filter(participant=user).select_related("topic").order_by("id")
    ]


def export_moderation(user):
    """What the participant did as a moderator: rows that name them as the one who acted."""
    return {
        "comments_hidden": [
            {"comment_id": pk, "at": _dt(at)}
            for pk, at in Comment.objects.filter(hidden_by=user).order_by("id").values_list("id", "hidden_at")
        ],
        "reports_resolved": [
            {"report_id": pk, "at": _dt(at)}
            for pk, at in Report.objects.filter(resolved_by=user).order_by("id").values_list("id", "resolved_at")
        ],
        "proposals_decided": [
            {"proposal_id": pk, "status": status, "at": _dt(at)}
            for pk, status, at in Proposal.objects.filter(decided_by=user)
            .order_by("id")
            .values_list("id", "status", "decided_at")
        ],
        "audit_log": [
            {"action": action, "object": target, "at": _dt(at), "reason": reason}
            for action, target, at, reason in AuditEntry.objects.filter(actor=user)
            .order_by("id")
            .values_list("action", "target_repr", "created_at", "reason")
        ],
        "official_responses": [
            {"id": pk, "text": text, "at": _dt(at)}
            for pk, text, at in OfficialResponse.objects.filter(author=user)
            .order_by("id")
            .values_list("id", "text", "updated_at")
        ],
        "text_corrections": [
            {"id": pk, "reason": reason, "at": _dt(at)}
            for pk, reason, at in TextRevision.objects.filter(changed_by=user)
            .order_by("id")
            .values_list("id", "reason", "changed_at")
        ],
    }


def export_decision_mails(user):
    """Moderation decisions the participant was mailed about (the mails themselves are in the mail section)."""
    return [
        {"action": action, "at": _dt(at)}
        for action, at in DecisionMail.objects.filter(recipient=user)
        .order_by("id")
        .values_list("entry__action", "created_at")
    ]


def export(user):
    return {
        "votes": export_votes(user),
        "priorities": export_priorities(user),
        "comments": export_comments(user),
        "reports": export_reports(user),
        "proposals": export_proposals(user),
        "recommendations_proposed": export_recommendations_proposed(user),
        "follows": export_follows(user),
        "moderation": export_moderation(user),
        "decision_mails": export_decision_mails(user),
    }


def erase(user, *, remove_contributions):
    """Take the participant out of feedback; with ``remove_contributions`` also what they wrote or chose.

    Comments are emptied and marked deleted (replies by others keep their
    place); proposals, votes and priorities are deleted; reports lose their
    explanation. Without it, everything stays and is shown as "Deleted
    participant". Reply mails to others that quote the participant are
    rendered again from the comment rows they reference (``ReplyMail``): the
    name becomes "Deleted participant" and, with ``remove_contributions``, the
    words leave the mail. No other mail is touched. Followed topics end
    either way: a deleted account gets no mail.
    """
    TopicFollow.objects.filter(participant=user).delete()
    if remove_contributions:
        Comment.objects.filter(author=user).update(
            text="", stance="", is_deleted=True, deleted_at=timezone.now(), is_featured=False
        )
        Recommendation.objects.filter(proposed_by=user).update(proposed_by=None)
        Proposal.objects.filter(author=user).delete()
        affected = set(Vote.objects.filter(participant=user).values_list("recommendation_id", flat=True))
        affected |= set(Priority.objects.filter(participant=user).values_list("recommendation_id", flat=True))
        Vote.objects.filter(participant=user).delete()
        Priority.objects.filter(participant=user).delete()
        Report.objects.filter(reporter=user).update(explanation="")
        # The published figures follow under the same rule as any other change.
        publish(recommendation_ids=affected, participants=[user.pk])
    # The name (and, with the contributions, the words) may be on any cached anonymous page.
    pagecache.bump(pagecache.CONTENT)
    reply_mails_rerender_without(user=user)


def mails_quoting_rerender(*, comment_ids) -> int:
    """Take the words of ``comment_ids`` (just deleted, or erased) out of the kept mails that quote them.

    Call it after the text left the rows: the reply mails that quote the
    comments (``ReplyMail``) and the mails that told their authors why they
    were hidden (``DecisionMail.email``) are rendered again from the database,
    with "[removed]" in place of the words; queued and sent mails alike. The
    mails are found by reference, never by searching text, so a comment of
    "s" or "/" cannot touch another mail. Returns how many mails changed.
    """
    comment_ids = list(comment_ids)
    if not comment_ids:
        return 0
    return reply_mails_rerender(comment_ids=comment_ids) + hidden_mails_rerender(comment_ids=comment_ids)
