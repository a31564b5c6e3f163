"""What the portal holds about one participant, as JSON (AVG/GDPR, right of access).

Each section comes from an exporter: a function ``(user) -> JSON-able value``
registered under a name. An app that stores more about participants (the
invitations issue: invitations and RSVPs) registers its own section in its
``AppConfig.ready()``::

    from participants.exports import register_exporter

    @register_exporter("invitations")
    def export_invitations(user):
        return [...]

Each exporter runs a fixed number of queries, whatever the participant did.
"""

from collections.abc import Callable
from typing import Any

from django.utils import timezone

_EXPORTERS: dict[str, Callable[[Any], Any]] = {}


def register_exporter(name: str):
    """Register ``func`` as the exporter of section ``name`` (names are unique)."""

    def decorator(func):
        if name in _EXPORTERS and _EXPORTERS[name] is not func:
            raise ValueError(f"An exporter for {name!r} is already registered.")
        _EXPORTERS[name] = func
        return func

    return decorator


def exporter_names() -> list[str]:
    return list(_EXPORTERS)


def account_export(*, user) -> dict:
    """Every section for ``user``, with the moment of export."""
    data = {"exported_at": timezone.now().isoformat(), "portal": "NMP Participatie"}
    for name, exporter in _EXPORTERS.items():
        data[name] = exporter(user)
    return data


def _dt(value):
    return value.isoformat() if value else None


@register_exporter("profile")
def export_profile(user):
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "organisation": user.organisation,
        "sector": user.sector,
        "participates_as": user.participates_as,
        "display_mode": user.display_mode,
        "shown_as": str(user.public_name),
        "language": user.language,
        "notify_replies": user.notify_replies,
        "notify_updates": user.notify_updates,
        "privacy_accepted_at": _dt(user.privacy_accepted_at),
        "date_joined": _dt(user.date_joined),
        "last_login": _dt(user.last_login),
        "is_blocked": user.is_blocked,
        "blocked_reason": user.blocked_reason,
        "blocked_at": _dt(user.blocked_at),
        "groups": sorted(user.groups.values_list("name", flat=True)),
    }


@register_exporter("email_addresses")
def export_email_addresses(user):
    from allauth.account.models import EmailAddress

    return [
        {"email": e.email, "verified": e.verified, "primary": e.primary}
        for e in EmailAddress.objects.filter(user=user).order_by("email")
    ]


@register_exporter("two_step_verification")
def export_authenticators(user):
    from allauth.mfa.models import Authenticator

    # The secrets themselves are not exported: they would let anyone who gets
    # hold of the file log in as the participant.
    return [
        {"type": a.type, "created_at": _dt(a.created_at), "last_used_at": _dt(a.last_used_at)}
        for a in Authenticator.objects.filter(user=user).order_by("created_at")
    ]


@register_exporter("sessions")
def export_sessions(user):
    from allauth.usersessions.models import UserSession

    return [
        {"ip": s.ip, "user_agent": s.user_agent, "created_at": _dt(s.created_at), "last_seen_at": _dt(s.last_seen_at)}
        for s in UserSession.objects.filter(user=user).order_by("created_at")
    ]


@register_exporter("votes")
def export_votes(user):
    from feedback.models import Vote

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


@register_exporter("priorities")
def export_priorities(user):
    from feedback.models import Priority

    return [
        {
            "topic": p.topic.title,
            "recommendation_id": p.recommendation_id,
            "recommendation": p.recommendation.text,
            "created_at": _dt(p.created_at),
        }
        for p in Priority.objects.filter(participant=user).select_related("recommendation", "topic").order_by("id")
    ]


@register_exporter("comments")
def export_comments(user):
    from feedback.models import Comment

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


@register_exporter("reports")
def export_reports(user):
    from feedback.models import Report

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


@register_exporter("proposals")
def export_proposals(user):
    from topics.models import Proposal

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


@register_exporter("recommendations_proposed")
def export_recommendations_proposed(user):
    from topics.models import Recommendation

    return [
        {"id": r.pk, "topic": r.topic.title, "text": r.text, "published": r.is_published}
        for r in Recommendation.objects.filter(proposed_by=user).select_related("topic").order_by("id")
    ]


@register_exporter("moderation")
def export_moderation(user):
    """What the participant did as a moderator: rows that name them as the one who acted."""
    from feedback.models import Comment, Report
    from topics.models import Proposal

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
    }


@register_exporter("mails")
def export_mails(user):
    """Mails the portal queued or sent to the participant's addresses (kept for a while, then cleaned up).

    Subjects and dates only: the bodies can hold one-time links and codes
    (password reset, login code) that must not end up in a downloaded file.
    """
    from allauth.account.models import EmailAddress

    from .selectors import mails_to

    addresses = [user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)]
    return [
        {
            "subject": m.subject,
            "created_at": _dt(m.created),
            "status": m.get_status_display() if m.status is not None else None,  # 0 is "sent"
        }
        for m in mails_to(addresses=addresses)
    ]
