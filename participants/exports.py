"""What the portal holds about one participant: the privacy registry (AVG/GDPR).

Each app that stores something about participants registers one privacy
section from its ``AppConfig.ready()``, so this bottom-layer app never imports
the apps above it::

    from participants.exports import register_privacy_section

    register_privacy_section("invitations", export=export, erase=erase)

``export(user)`` returns a mapping of top-level keys of the download (right of
access); the keys are unique over all sections. ``erase(user, *,
remove_contributions)`` runs inside ``account_delete``'s transaction, before
the account's own fields are cleared (so it can still read the name), and
removes or anonymises that app's rows (right to erasure). Each export runs a
fixed number of queries, whatever the participant did.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class PrivacySection:
    name: str
    export: Callable[[Any], dict[str, Any]]
    erase: Callable[..., None] | None = None


_SECTIONS: dict[str, PrivacySection] = {}


def register_privacy_section(name: str, *, export, erase=None) -> PrivacySection:
    """Register an app's export and erase functions under ``name`` (names are unique)."""
    section = PrivacySection(name=name, export=export, erase=erase)
    if name in _SECTIONS and _SECTIONS[name] != section:
        raise ValueError(f"A privacy section {name!r} is already registered.")
    _SECTIONS[name] = section
    return section


def unregister_privacy_section(name: str) -> None:
    _SECTIONS.pop(name, None)


def register_exporter(name: str):
    """Shorthand for a section that only exports: ``func(user)`` becomes the value of key ``name``."""

    def decorator(func):
        register_privacy_section(name, export=lambda user: {name: func(user)})
        return func

    return decorator


def privacy_section_names() -> list[str]:
    return list(_SECTIONS)


def account_export(*, user) -> dict:
    """Every section for ``user``, with the moment of export."""
    data = {"exported_at": timezone.now().isoformat(), "portal": "NMP Participatie"}
    for section in _SECTIONS.values():
        for key, value in section.export(user).items():
            if key in data:
                raise ValueError(f"Privacy section {section.name!r} exports {key!r}, which another section has.")
            data[key] = value
    return data


def account_erase(*, user, remove_contributions: bool) -> None:
    """Run every section's erase for ``user`` (called by ``participants.services.account_delete``)."""
    for section in _SECTIONS.values():
        if section.erase is not None:
            section.erase(user, remove_contributions=remove_contributions)


def _dt(value):
    return value.isoformat() if value else None


def export_profile(user):
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "organisation": user.organisation,
        "sector": user.sector,
        "participates_as": user.participates_as,
        "sector_confirmed_at": _dt(user.sector_confirmed_at),
        "sector_confirmed_source": user.sector_confirmed_source,
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


def export_email_addresses(user):
    from allauth.account.models import EmailAddress

    return [
        {"email": e.email, "verified": e.verified, "primary": e.primary}
        for e in EmailAddress.objects.filter(user=user).order_by("email")
    ]


def export_authenticators(user):
    from allauth.mfa.models import Authenticator

    # The secrets themselves are not exported: they would let anyone who gets
    # hold of the file log in as the participant.
    return [
        {"type": a.type, "created_at": _dt(a.created_at), "last_used_at": _dt(a.last_used_at)}
        for a in Authenticator.objects.filter(user=user).order_by("created_at")
    ]


def export_sessions(user):
    from allauth.usersessions.models import UserSession

    return [
        {"ip": s.ip, "user_agent": s.user_agent, "created_at": _dt(s.created_at), "last_seen_at": _dt(s.last_seen_at)}
        for s in UserSession.objects.filter(user=user).order_by("created_at")
    ]


def export_mails(user):
    """Mails the portal queued or sent to the participant's verified addresses (kept for a while, then cleaned up).

    Subjects and dates only: the bodies can hold one-time links and codes
    (password reset, login code) that must not end up in a downloaded file.
    """
    from .selectors import mails_to, verified_addresses

    # Verified addresses only: an unverified one may be someone else's, and their mails are theirs.
    addresses = verified_addresses(user)
    return [
        {
            "subject": m.subject,
            "created_at": _dt(m.created),
            "status": m.get_status_display() if m.status is not None else None,  # 0 is "sent"
        }
        for m in mails_to(addresses=addresses)
    ]


def export_sector_changes(user):
    from .models import SectorChange

    return [
        {"from": c.old_sector, "to": c.new_sector, "how": c.source, "at": _dt(c.changed_at)}
        for c in SectorChange.objects.filter(user=user).order_by("changed_at", "pk")
    ]


def export(user):
    """The participants app's own section: the account, its addresses, sign-in and mails."""
    return {
        "profile": export_profile(user),
        "sector_changes": export_sector_changes(user),
        "email_addresses": export_email_addresses(user),
        "two_step_verification": export_authenticators(user),
        "sessions": export_sessions(user),
        "mails": export_mails(user),
    }


# The account's own fields are cleared by account_delete itself, after the other sections.
register_privacy_section("participants", export=export)
