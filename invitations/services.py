"""Writes for events, the roster, sending and answers. Admin, commands, views and tasks all call these."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.sectors import Sector
from topics.compiled import CompiledQuery

from . import mails, tasks
from .models import ANSWERED, Event, Invitation, State
from .roster import RosterRow
from .sending import (  # noqa: F401 - part of this module's interface for the admin, commands and tests
    SEND_CHUNK,
    invitation_mail_queue,
    invitation_mails_queue,
    invitations_delivery_sync,
    invitations_expire,
    invitations_to_pick_up,
    practical_information_send,
    reminders_send,
    token_hash,
)

logger = logging.getLogger(__name__)

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


# --- Events -------------------------------------------------------------------------------


def event_create(
    *,
    slug: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    rsvp_deadline: datetime,
    location: str,
    address: str = "",
    description: str = "",
    accessibility: str = "",
    online_url: str = "",
) -> Event:
    """Create an event; refuses an end before the start, a deadline after the start, a taken slug."""
    event = Event(
        slug=slug,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        rsvp_deadline=rsvp_deadline,
        location=location,
        address=address,
        description=description,
        accessibility=accessibility,
        online_url=online_url,
    )
    event.full_clean()
    with transaction.atomic():
        event.save()
    return event


# --- The roster -----------------------------------------------------------------------------

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
ROSTER_FIELDS = ("name", "organisation", "sector", "note", "language")

_SECTOR_BY_LABEL = {}


def _sector_code(value: str) -> str | None:
    """The sector code for a code or its Dutch (or English) label; None when unknown."""
    if not value:
        return ""
    if not _SECTOR_BY_LABEL:
        from django.utils import translation

        for code, label in Sector.choices:
            _SECTOR_BY_LABEL[code] = code
            for language in LANGUAGE_CODES:
                with translation.override(language):
                    _SECTOR_BY_LABEL[str(label).casefold()] = code
    return _SECTOR_BY_LABEL.get(value.strip().casefold())


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


@dataclass
class PreviewRow:
    line: int
    status: str
    data: dict
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class RosterPreview:
    rows: list[PreviewRow]

    def count(self, status):
        return sum(1 for row in self.rows if row.status == status)

    @property
    def errors(self):
        return [row for row in self.rows if row.status == ERROR]

    @property
    def has_errors(self):
        return any(row.status == ERROR for row in self.rows)

    def summary(self):
        return {status: self.count(status) for status in (NEW, UPDATE, UNCHANGED, ERROR)}


def roster_preview(*, event: Event, rows: list[RosterRow]) -> RosterPreview:
    """Classify every row: new invitee, update of an existing one (same address), unchanged, or error with reasons."""
    existing = {
        normalise_email(inv.email): inv for inv in Invitation.objects.filter(event=event).only(*ROSTER_FIELDS, "email")
    }
    seen: dict[str, int] = {}
    result = []
    for row in rows:
        data = dict(row.data)
        reasons = []
        if not data["name"]:
            reasons.append(_("Name is missing."))
        email = normalise_email(data["email"])
        data["email"] = email
        if not email:
            reasons.append(_("E-mail address is missing."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                reasons.append(_("“%(email)s” is not a valid e-mail address.") % {"email": data["email"]})
        sector = _sector_code(data["sector"])
        if sector is None:
            reasons.append(_("Unknown sector “%(sector)s”.") % {"sector": data["sector"]})
        else:
            data["sector"] = sector
        language = (data["language"] or "nl").strip().lower()
        if language not in LANGUAGE_CODES:
            reasons.append(_("Unknown language “%(language)s”: use nl or en.") % {"language": data["language"]})
        data["language"] = language
        if len(data["name"]) > 200 or len(data["organisation"]) > 200:
            reasons.append(_("Name and organisation can be at most 200 characters."))
        if email and email in seen:
            reasons.append(_("The same e-mail address is on line %(line)s.") % {"line": seen[email]})
        elif email:
            seen[email] = row.line
        warnings = [
            _("Column “%(column)s” started like a spreadsheet formula; an apostrophe was put in front.")
            % {"column": column}
            for column in row.neutralised
        ]
        if reasons:
            status = ERROR
        elif email in existing:
            current = existing[email]
            status = UNCHANGED if all(getattr(current, f) == data[f] for f in ROSTER_FIELDS) else UPDATE
        else:
            status = NEW
        result.append(PreviewRow(line=row.line, status=status, data=data, reasons=reasons, warnings=warnings))
    return RosterPreview(rows=result)


def invitations_import(
    *, event: Event, rows: list[RosterRow], valid_only: bool = False, invited_by=None
) -> RosterPreview:
    """Add new invitees and update existing ones (matched on the e-mail address, case-insensitive).

    Guarantees: nothing is written while a row has an error, unless
    ``valid_only`` (then only the valid rows are); importing the same file
    again changes nothing; the state, answer and link of an existing invitee
    are never touched by an import. All in one transaction.
    """
    with transaction.atomic():
        # Two imports for one event at once would both see an address as new.
        Event.objects.select_for_update().get(pk=event.pk)
        preview = roster_preview(event=event, rows=rows)
        if preview.has_errors and not valid_only:
            raise ValidationError(
                _(
                    "Nothing was imported: %(count)s rows have errors. "
                    "Fix them, or choose to import only the valid rows."
                )
                % {"count": preview.count(ERROR)}
            )
        existing = {normalise_email(inv.email): inv for inv in Invitation.objects.filter(event=event)}
        accounts = _verified_accounts([row.data["email"] for row in preview.rows if row.status == NEW])
        new = []
        for row in preview.rows:
            if row.status == NEW:
                invitation = Invitation(
                    event=event,
                    email=row.data["email"],
                    invited_by=invited_by,
                    user_id=accounts.get(row.data["email"]),
                )
                for name in ROSTER_FIELDS:
                    setattr(invitation, name, row.data[name])
                invitation.full_clean(exclude=["event"], validate_unique=False, validate_constraints=False)
                new.append(invitation)
            elif row.status == UPDATE:
                invitation = existing[row.data["email"]]
                for name in ROSTER_FIELDS:
                    setattr(invitation, name, row.data[name])
                invitation.full_clean(validate_unique=False, validate_constraints=False)
                invitation.save(update_fields=list(ROSTER_FIELDS))
        Invitation.objects.bulk_create(new, batch_size=500)
    return preview


def _verified_accounts(emails) -> dict[str, int]:
    """Account ids by verified address, so an invitee who already has an account is linked to it at once."""
    from allauth.account.models import EmailAddress

    if not emails:
        return {}
    rows = EmailAddress.objects.filter(email__in=emails, verified=True, user__deleted_at__isnull=True)
    return {email.lower(): user_id for email, user_id in rows.values_list("email", "user_id")}


def invitations_add_users(*, event: Event, users, invited_by=None) -> int:
    """Put accounts on the roster as concept invitations; people already on it are left as they are."""
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=event.pk)
        present = {normalise_email(e) for e in Invitation.objects.filter(event=event).values_list("email", flat=True)}
        new = []
        for user in users:
            email = normalise_email(user.email)
            if not email or user.deleted_at or not user.is_active or email in present:
                continue
            present.add(email)
            new.append(
                Invitation(
                    event=event,
                    name=user.get_full_name() or email,
                    email=email,
                    organisation=user.organisation,
                    sector=user.sector,
                    language=user.language if user.language in LANGUAGE_CODES else "nl",
                    user=user,
                    invited_by=invited_by,
                )
            )
        Invitation.objects.bulk_create(new, batch_size=500)
    return len(new)


# --- Sending ----------------------------------------------------------------------------------

RESENDABLE = (State.SENT, State.FAILED)


def invitations_send(*, event: Event, invitations=None, resend: bool = False) -> int:
    """Queue the invitation mail for invitees; returns how many were queued.

    Without ``resend`` only concept invitations are queued, so running it
    twice never sends anyone a second mail. With ``resend`` the selected
    invitees who have not answered get a new mail with a new link (the old
    link stops working). The mails are made and delivered by Celery after
    commit; if the broker is unreachable the invitations stay queued in the
    database and ``invitations_pickup`` (every minute) queues them again.
    """
    queryset = Invitation.objects.filter(event=event)
    if invitations is not None:
        queryset = queryset.filter(pk__in=[getattr(i, "pk", i) for i in invitations])
    now = timezone.now()
    if now > event.rsvp_deadline:
        raise ValidationError(_("The deadline for answers has passed; invitations can no longer be sent."))
    with transaction.atomic():
        states = RESENDABLE if resend else (State.CONCEPT,)
        ids = list(queryset.select_for_update().filter(state__in=states).values_list("pk", flat=True))
        Invitation.objects.filter(pk__in=ids).update(
            state=State.QUEUED, queued_at=now, mail=None, token_hash=None, token_nonce="", sent_at=None, failed_at=None
        )
        transaction.on_commit(lambda: queue_invitation_mails(ids))
    return len(ids)


def _broker_reachable() -> bool:
    """One quick ping without retries: redis-py retries a refused connection for seconds, too long for a page."""
    from celery import current_app

    url = current_app.conf.broker_url or ""
    if current_app.conf.task_always_eager or not url.startswith(("redis://", "rediss://")):
        return True
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(url, retry=Retry(NoBackoff(), 0), socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def queue_invitation_mails(ids) -> bool:
    """Ask Celery to make and send these invitation mails; never raises, and gives up fast, when the broker is down.

    What is not handed to the broker stays queued in the database, where
    ``invitations_pickup`` (celery beat, every minute) finds it.
    """
    if not ids:
        return True
    try:
        if not _broker_reachable():
            raise ConnectionError("broker unreachable")
        for start in range(0, len(ids), SEND_CHUNK):
            tasks.send_invitation_mails.apply_async(args=[ids[start : start + SEND_CHUNK]], retry=False)
    except Exception:  # noqa: BLE001 - broker down: the periodic pickup sends them later
        logger.warning("Broker unreachable; %s invitations stay queued for the periodic pickup.", len(ids))
        return False
    return True


def invitations_pickup() -> int:
    """Periodic: queue again the invitations whose mail was never made (broker or worker was down)."""
    ids = invitations_to_pick_up()
    if ids:
        queue_invitation_mails(ids)
    invitations_delivery_sync()
    return len(ids)


# --- Answers ----------------------------------------------------------------------------------


def _by_hash(hashed):
    # The hash is unique: no ordering (the model's orders by event and name, which ``first()`` would
    # compile and sort by), and only the event with it (the page never shows the linked account).
    from .selectors import with_account_exists

    return with_account_exists(Invitation.objects.select_related("event")).filter(token_hash=hashed).order_by()[:1]


# Built and compiled once: every opening of a personal link reads it (a hash is hex, never this stand-in).
_invitation_by_hash = CompiledQuery(_by_hash, "\x00token-hash\x00")


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation for a personal link, or None when the token is unknown, replaced or past the deadline.

    With ``has_account``: whether an account has the invitation's address (the page offers sign-up if not).
    """
    if not token or len(token) > 100:
        return None
    found = _invitation_by_hash(token_hash(token))
    invitation = found[0] if found else None
    if invitation is None or not invitation.event.is_open_for_answers or invitation.state == State.EXPIRED:
        return None
    return invitation


def _account_for(invitation):
    from .selectors import verified_account

    return verified_account(email=invitation.email)


def invitation_may_answer(*, invitation: Invitation, user) -> bool:
    """The link may record an answer for this visitor: anonymous, or logged in as the invitee's account."""
    if user is None or not user.is_authenticated:
        return True
    if invitation.user_id:
        return invitation.user_id == user.pk
    owner = _account_for(invitation)
    if owner is not None:
        return owner.pk == user.pk
    # No account has verified the address yet: the link proves the mailbox, the login the same address.
    return normalise_email(user.email) == normalise_email(invitation.email)


def rsvp_answer(*, invitation: Invitation, attending: bool, needs: str = "", user=None) -> Invitation:
    """Record "Ja" or "Nee" (changeable until the deadline); returns the invitation in its new state.

    Capacity holds under concurrent answers: the event row is locked while the
    places are counted, so 50 simultaneous "Ja" for 10 places give 10
    accepted and 40 on the waiting list. A "Ja" beyond capacity goes on the
    waiting list (in order of answering); a "Nee" from someone who had a place
    gives it to the first on the list, who gets a mail. "Ja" is confirmed by a
    mail with the event as .ics. The answer is recorded on the account with
    the invitee's address, never on another logged-in account.
    """
    if not invitation_may_answer(invitation=invitation, user=user):
        raise PermissionDenied(_("This invitation is for another e-mail address than the one you are logged in with."))
    needs = (needs or "").strip()
    if len(needs) > 2000:
        raise ValidationError(_("Keep the needs under 2000 characters."))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=invitation.event_id)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        now = timezone.now()
        if now > event.rsvp_deadline:
            raise ValidationError(_("The deadline for answers has passed."))
        if invitation.state in (State.CONCEPT, State.EXPIRED):
            raise ValidationError(_("This invitation cannot be answered."))
        previous = invitation.state
        if attending:
            if previous in (State.ACCEPTED, State.WAITING):
                new_state = previous
            else:
                taken = Invitation.objects.filter(event=event, state=State.ACCEPTED).count()
                new_state = State.ACCEPTED if taken < event.capacity else State.WAITING
        else:
            new_state = State.DECLINED
        invitation.state = new_state
        invitation.needs = needs if attending else ""
        invitation.answered_at = now
        if new_state == State.WAITING and previous != State.WAITING:
            invitation.waiting_since = now
        elif new_state != State.WAITING:
            invitation.waiting_since = None
        if invitation.user_id is None:
            invitation.user = user if user is not None and user.is_authenticated else _account_for(invitation)
        invitation.full_clean(validate_unique=False, validate_constraints=False)
        invitation.save()
        if new_state == State.ACCEPTED and previous != State.ACCEPTED:
            mails.confirmation_mail(invitation=invitation)
        elif new_state == State.WAITING and previous != State.WAITING:
            mails.waiting_list_mail(invitation=invitation)
        if previous == State.ACCEPTED and new_state != State.ACCEPTED:
            _promote_waiting(event)
    return invitation


def event_register(*, event: Event, user, attending: bool, needs: str = "") -> Invitation:
    """A participant signs up for an event open to participants, without an invitation.

    They get a row on the roster like an invitee (with their account's name,
    organisation, sector and language) and then answer as an invitee does:
    the same capacity, waiting list, mails and changes until the deadline.
    Registering twice (a double click) gives one row: the database's unique
    address per event decides, and the second request uses the first's row.
    """
    if not user.has_perm("invitations.register", event):
        raise PermissionDenied(_("You cannot register for this meeting."))
    email = normalise_email(user.email)
    invitation = Invitation.objects.filter(event=event, email=email).first()
    if invitation is None:
        invitation = Invitation(
            event=event,
            name=user.get_full_name() or email,
            email=email,
            organisation=user.organisation,
            sector=user.sector,
            language=user.language if user.language in LANGUAGE_CODES else settings.LANGUAGE_CODE,
            user=user,
            # Not a mail that went out: the participant is on the event page and answers there.
            state=State.SENT,
        )
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            invitation = Invitation.objects.get(event=event, email=email)
    return rsvp_answer(invitation=invitation, attending=attending, needs=needs, user=user)


def _promote_waiting(event: Event):
    """Give free places to the first on the waiting list; each gets the confirmation mail."""
    free = event.capacity - Invitation.objects.filter(event=event, state=State.ACCEPTED).count()
    if free <= 0:
        return
    for invitation in Invitation.objects.filter(event=event, state=State.WAITING).order_by("waiting_since", "pk")[
        :free
    ]:
        invitation.state = State.ACCEPTED
        invitation.waiting_since = None
        invitation.save(update_fields=["state", "waiting_since"])
        mails.confirmation_mail(invitation=invitation, promoted=True)


def event_capacity_update(*, event: Event, capacity: int) -> Event:
    """Change the capacity; places that come free go to the waiting list in order."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        event.capacity = capacity
        event.full_clean()
        event.save(update_fields=["capacity"])
        _promote_waiting(event)
    return event


def event_counts(*, event: Event) -> dict:
    """Per state how many invitees, plus the total (one query)."""
    aggregates = {state.value: Count("pk", filter=Q(state=state.value)) for state in State}
    counts = Invitation.objects.filter(event=event).aggregate(total=Count("pk"), **aggregates)
    counts["answered"] = sum(counts[s] for s in ANSWERED)
    return counts
