"""Writes for participant accounts: sign-up details, profile, blocking, deletion.

Views, admin actions and allauth's adapter all call these, so each rule lives
in one place.
"""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .exports import account_erase
from .models import PortalSettings, SectorChange, User
from .roles import ROLES, role_group
from .sectors import Sector, sector_confirmed_hooks
from .selectors import mails_to, verified_addresses

PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "organisation",
    "sector",
    "participates_as",
    "display_mode",
    "notify_replies",
    "notify_updates",
    "notify_moderation_digest",
    "language",
)


def _clean_text(value):
    """Names and organisations are plain text: trim, and fold line breaks into spaces."""
    return " ".join(str(value or "").split())


def participant_register(*, user: User, privacy_accepted: bool, **profile) -> User:
    """Fill in the details asked at sign-up and save the new account.

    Guarantees the privacy statement was accepted (the moment is stored) and
    that the account passes model validation. ``user`` comes from allauth with
    e-mail and password already set.
    """
    if not privacy_accepted:
        raise ValidationError(_("You must accept the privacy statement to create an account."))
    for field, value in profile.items():
        if field not in PROFILE_FIELDS:
            raise ValueError(f"Unknown profile field: {field}")
        setattr(user, field, _clean_text(value) if field in ("first_name", "last_name", "organisation") else value)
    user.privacy_accepted_at = timezone.now()
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        user.save()
    return user


def sector_change_allowed_from(user: User):
    """The moment from which ``user`` may change their sector again, or None when they may now."""
    days = settings.SECTOR_CHANGE_MIN_DAYS
    if not days:
        return None
    last = (
        SectorChange.objects.filter(user=user, source=SectorChange.Source.PROFILE)
        .exclude(old_sector="")
        .values_list("changed_at", flat=True)
        .first()
    )
    if last is None:
        return None
    allowed = last + timedelta(days=days)
    return allowed if allowed > timezone.now() else None


def profile_update(*, user: User, **changes) -> User:
    """Change the participant's own profile; only the fields of PROFILE_FIELDS can change.

    A change of sector is logged (``SectorChange``, shown to moderators), clears
    the confirmation by the organisers, and is refused within
    ``SECTOR_CHANGE_MIN_DAYS`` of the previous change: votes keep the sector
    they were cast with, and the limit keeps one person from spreading new
    votes over many sectors. Choosing a sector for the first time is not limited.
    """
    old_sector = User.objects.filter(pk=user.pk).values_list("sector", flat=True).first() or ""
    for field, value in changes.items():
        if field not in PROFILE_FIELDS:
            raise ValueError(f"Unknown profile field: {field}")
        setattr(user, field, _clean_text(value) if field in ("first_name", "last_name", "organisation") else value)
    if user.language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages of this site.")})
    update_fields = [*changes]
    with transaction.atomic():
        if "sector" in changes and user.sector != old_sector:
            if old_sector:
                allowed = sector_change_allowed_from(user)
                if allowed is not None:
                    user.sector = old_sector
                    raise ValidationError(
                        {
                            "sector": _(
                                "You changed your sector less than %(days)s days ago. "
                                "You can change it again from %(date)s."
                            )
                            % {
                                "days": settings.SECTOR_CHANGE_MIN_DAYS,
                                "date": formats.date_format(timezone.localtime(allowed), "DATE_FORMAT"),
                            }
                        }
                    )
            SectorChange.objects.create(
                user=user, old_sector=old_sector, new_sector=user.sector, source=SectorChange.Source.PROFILE
            )
            user.sector_confirmed_at = None
            user.sector_confirmed_source = ""
            update_fields += ["sector_confirmed_at", "sector_confirmed_source"]
        user.full_clean(exclude=["password"])
        user.save(update_fields=update_fields)
    return user


def sector_confirm(*, user: User, by: User | None, source: str) -> User:
    """Mark ``user``'s current sector as confirmed by the organisers.

    ``source`` is "moderator" (``by`` must be allowed to block participants,
    i.e. a moderator or organiser) or "invitation" (the person came in through
    an invitation for this sector; ``by`` may be None). Votes and priorities
    already cast with this same sector count as confirmed from now on (through
    the hooks in ``participants.sectors``); those cast with an earlier sector
    do not. Logged as a ``SectorChange``. Confirming twice changes nothing.
    """
    if source not in (SectorChange.Source.MODERATOR, SectorChange.Source.INVITATION):
        raise ValueError(f"Unknown confirmation source: {source}")
    if source == SectorChange.Source.MODERATOR and not (by and by.is_active and by.has_perm("participants.block_user")):
        raise PermissionDenied(_("Only moderators can confirm a sector."))
    if user.sector not in Sector.values:
        raise ValidationError({"sector": _("This participant has not chosen a sector yet.")})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.sector_confirmed_at is not None and locked.sector == user.sector:
            return locked
        user.sector_confirmed_at = timezone.now()
        user.sector_confirmed_source = source
        user.save(update_fields=["sector_confirmed_at", "sector_confirmed_source"])
        SectorChange.objects.create(
            user=user, old_sector=user.sector, new_sector=user.sector, source=source, changed_by=by
        )
        for hook in sector_confirmed_hooks():
            hook(user)
    return user


def _check_may_block(*, user: User, moderator: User):
    if not (moderator.is_active and moderator.has_perm("participants.block_user")):
        raise PermissionDenied(_("Only moderators can block participants."))
    if user.pk == moderator.pk:
        raise PermissionDenied(_("You cannot block yourself."))
    if user.is_superuser:
        raise PermissionDenied(_("An administrator cannot be blocked."))


def user_block(*, user: User, moderator: User, reason: str) -> User:
    """Block a participant: they can still log in and read, not contribute.

    The reason is shown to the participant, so it must be given.
    """
    _check_may_block(user=user, moderator=moderator)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason. The participant will see it.")})
    user.is_blocked = True
    user.blocked_reason = reason
    user.blocked_at = timezone.now()
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        user.save(update_fields=["is_blocked", "blocked_reason", "blocked_at"])
    return user


def user_unblock(*, user: User, moderator: User) -> User:
    """Lift a block; the participant can contribute again."""
    _check_may_block(user=user, moderator=moderator)
    user.is_blocked = False
    user.blocked_reason = ""
    user.blocked_at = None
    with transaction.atomic():
        user.save(update_fields=["is_blocked", "blocked_reason", "blocked_at"])
    return user


def portal_settings_update(*, signup_mode: str, invitation_only_message: str = "") -> PortalSettings:
    """Switch sign-up between open and invitation only (used by the admin)."""
    portal = PortalSettings.load()
    portal.signup_mode = signup_mode
    portal.invitation_only_message = invitation_only_message
    with transaction.atomic():
        portal.full_clean()
        portal.save()
    return portal


def _end_all_sessions(user: User):
    """Delete every session of ``user``: those allauth tracks and any other in the session store."""
    from allauth.usersessions.models import UserSession

    engine = import_module(settings.SESSION_ENGINE)
    for session in UserSession.objects.filter(user=user):
        engine.SessionStore(session_key=session.session_key).delete()
    UserSession.objects.filter(user=user).delete()
    if settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
        "participants.sessions",
    ):
        # Sessions made before usersessions tracked them (or by tests) are
        # found by decoding; live sessions are few (12 hours at most).
        from django.contrib.sessions.models import Session

        stale = [
            s.session_key
            for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
            if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
        ]
        for key in stale:
            engine.SessionStore(session_key=key).delete()


def account_delete(*, user: User, remove_contributions: bool = False) -> User:
    """Delete a participant's account and personal data (AVG/GDPR, right to erasure).

    Guarantees afterwards: no name, e-mail address or organisation of the
    participant remains in any table; every session has ended; the account
    cannot log in again. The row itself stays, with only the sector and the
    deletion date, so contributions kept are shown as "Deleted participant"
    and still count per sector in the results.

    ``remove_contributions=True`` also removes what the participant wrote or
    chose: comments (emptied and marked deleted, so replies by others keep
    their place), proposals, votes, priorities and the explanations of their
    reports. Without it, votes and priorities keep counting for their sector;
    comments and proposals stay visible under "Deleted participant".

    Mails: those to the participant's verified addresses are deleted; in mails to
    others that quote them (reply notifications) their name becomes "Deleted
    participant", and with ``remove_contributions`` their words "[removed]".
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from post_office.models import Email

    if user.is_deleted:
        return user
    with transaction.atomic():
        # Verified addresses only: an address someone added without proving it
        # is theirs may be another person's, whose mails are not ours to delete.
        addresses = verified_addresses(user)

        # Every app's section (feedback: contributions and the reply mails that
        # quote them) runs while the name is still there to look for.
        account_erase(user=user, remove_contributions=remove_contributions)

        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        Email.objects.filter(pk__in=[mail.pk for mail in mails_to(addresses=addresses)]).delete()
        _end_all_sessions(user)

        placeholder = f"verwijderd-{user.pk}@deleted.invalid"
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).update(
            object_repr=placeholder, change_message=""
        )

        user.first_name = ""
        user.last_name = ""
        user.email = placeholder
        user.organisation = ""
        user.blocked_reason = ""
        user.notify_replies = False
        user.notify_updates = False
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.last_login = None
        user.deleted_at = timezone.now()
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
    return user


@transaction.atomic
def staff_create(*, email: str, password: str, role: str, first_name: str = "", last_name: str = "") -> User:
    """Create a staff account for a moderator or organiser, with a verified e-mail address.

    The account still needs two-step verification (TOTP) before the admin
    opens; the person sets it up themselves after logging in. Raises
    ValidationError for an unknown role, a taken address or a weak password.
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth.password_validation import validate_password

    if role not in ROLES:
        raise ValidationError(_("Unknown role %(role)s: choose moderator or organiser.") % {"role": role})
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("There is already an account with this e-mail address."))
    user = User(email=email, first_name=first_name, last_name=last_name, is_staff=True)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(role_group(role))
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user
