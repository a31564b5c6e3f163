"""Invitations and answers in the participant's data export and account deletion (AVG/GDPR)."""

from django.db.models import Q


def _dt(value):
    return value.isoformat() if value else None


def _of(user):
    from .models import Invitation

    return Invitation.objects.filter(Q(user=user) | Q(email__iexact=user.email)).select_related("event")


def export(user):
    return {"invitations": _export_invitations(user)}


def _export_invitations(user):
    return [
        {
            "event": i.event.title,
            "event_starts_at": _dt(i.event.starts_at),
            "name": i.name,
            "email": i.email,
            "organisation": i.organisation,
            "sector": i.sector,
            "personal_note": i.note,
            "language": i.language,
            "state": i.state,
            "needs": i.needs,
            "added_at": _dt(i.created_at),
            "sent_at": _dt(i.sent_at),
            "answered_at": _dt(i.answered_at),
            "waiting_since": _dt(i.waiting_since),
            "reminder_sent_at": _dt(i.reminder_sent_at),
            "practical_information_sent_at": _dt(i.practical_sent_at),
        }
        for i in _of(user).order_by("event__starts_at", "pk")
    ]


def erase(user, *, remove_contributions=False):
    """Remove the person from every roster: name, address, note and needs go; the state stays for the counts.

    A place they held is not given away here: the event is theirs to cancel,
    and deletion after the meeting must not rewrite who attended.
    """
    for invitation in _of(user):
        invitation.name = ""
        invitation.email = f"verwijderd-{invitation.pk}@deleted.invalid"
        invitation.organisation = ""
        invitation.note = ""
        invitation.needs = ""
        invitation.user = None
        invitation.token_hash = None
        invitation.token_nonce = ""
        fields = ["name", "email", "organisation", "note", "needs", "user", "token_hash", "token_nonce"]
        invitation.save(update_fields=fields)
