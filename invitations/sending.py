"""Making and tracking the mails of invitations: what Celery tasks and celery beat run.

Kept apart from ``services`` (which queues the tasks) so the tasks can call
these without the two modules importing each other.
"""

import base64
import hashlib
import secrets

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import mails
from .models import UNANSWERED, Event, Invitation, State

SEND_CHUNK = 100


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token(invitation) -> str:
    """The personal link's token: an HMAC (SECRET_KEY) of the invitation and its random nonce.

    Only the nonce and the token's SHA-256 are stored, so the database alone
    does not give the link; the same token can be made again for the
    reminder, and a new nonce ("Opnieuw versturen") retires the old link.
    """
    digest = salted_hmac("invitations.link", f"{invitation.pk}:{invitation.token_nonce}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _new_token(invitation) -> str:
    invitation.token_nonce = secrets.token_urlsafe(16)
    token = _token(invitation)
    invitation.token_hash = token_hash(token)
    return token


def invitation_mails_queue(*, invitation_ids) -> list:
    """Make the personal invitation mail of each queued invitee and put them in the mail queue.

    Safe to run twice and from several workers: the invitation rows are locked
    (only those, not their event, so workers make mails side by side) and a
    mail is made only while the invitation is queued without one. The token is
    made here and only its hash (and nonce) stored; the mails and the
    invitations are saved in one transaction, so a worker that dies midway
    leaves neither, and the mail queue hands the whole chunk to one delivery
    task after the commit (``nmp_portal.tasks.queue_delivery``).
    Returns the mails made.
    """
    with transaction.atomic():
        invitations = list(
            Invitation.objects.select_for_update(of=("self",))
            .select_related("event")
            .filter(pk__in=list(invitation_ids), state=State.QUEUED, mail__isnull=True)
            .order_by("pk")
        )
        tokens = [_new_token(invitation) for invitation in invitations]
        made = mails.invitation_mails(invitations_with_tokens=list(zip(invitations, tokens, strict=True)))
        for invitation, email in zip(invitations, made, strict=True):
            invitation.mail = email
        _save_links(invitations)
    return [invitation.mail for invitation in invitations]


def _save_links(invitations):
    """Store each invitation's link (nonce, token hash) and mail: one statement on PostgreSQL."""
    if not invitations:
        return
    if connection.vendor != "postgresql":
        for invitation in invitations:
            Invitation.objects.filter(pk=invitation.pk).update(
                token_nonce=invitation.token_nonce, token_hash=invitation.token_hash, mail=invitation.mail
            )
        return
    table = Invitation._meta.db_table
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(invitations))
    params = [value for i in invitations for value in (i.pk, i.token_nonce, i.token_hash, i.mail_id)]
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" AS i SET token_nonce = v.nonce, token_hash = v.hash, mail_id = v.mail '  # noqa: S608 - the table name is ours
            f"FROM (VALUES {rows}) AS v(id, nonce, hash, mail) WHERE i.id = v.id",
            params,
        )


def invitation_mail_queue(*, invitation_id: int):
    """One invitee's mail (see ``invitation_mails_queue``); None when there was nothing to make."""
    made = invitation_mails_queue(invitation_ids=[invitation_id])
    return made[0] if made else None


def invitations_delivery_sync(*, event: Event | None = None) -> int:
    """Copy the mail queue's outcome to queued invitations: delivered → sent, failed for good → failed."""
    from post_office.models import STATUS

    queryset = Invitation.objects.filter(state=State.QUEUED, mail__isnull=False)
    if event is not None:
        queryset = queryset.filter(event=event)
    now = timezone.now()
    changed = queryset.filter(mail__status=STATUS.sent).update(state=State.SENT, sent_at=now)
    changed += queryset.filter(mail__status=STATUS.failed).update(state=State.FAILED, failed_at=now)
    return changed


def invitations_to_pick_up() -> list[int]:
    """Ids of queued invitations whose mail was never made (the broker or the worker was down)."""
    return list(
        Invitation.objects.filter(state=State.QUEUED, mail__isnull=True, event__rsvp_deadline__gte=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def invitations_expire() -> int:
    """Periodic: invitations still unanswered after the deadline become "expired"."""
    return Invitation.objects.filter(
        state__in=[State.CONCEPT, *UNANSWERED], event__rsvp_deadline__lt=timezone.now()
    ).update(state=State.EXPIRED)


def _due(*, state, not_yet, moment, now, window):
    """Invitations in ``state`` without ``not_yet`` set whose event's ``moment`` is after now and by ``window``,
    locked, skipping rows another run holds (call inside a transaction)."""
    return (
        Invitation.objects.select_for_update(skip_locked=True)
        .select_related("event")
        .filter(
            state=state,
            **{f"{not_yet}__isnull": True, f"event__{moment}__gt": now, f"event__{moment}__lte": window},
        )
    )


def reminders_send(*, now=None) -> int:
    """Send the one reminder to invitees who have not answered, INVITATIONS_REMINDER_DAYS before the deadline.

    Only to those whose invitation was delivered ("sent") and who have had
    no reminder yet; the mark is set in the same transaction as the mail is
    queued, so running it twice sends nothing more.
    """
    now = now or timezone.now()
    window = now + settings.INVITATIONS_REMINDER_BEFORE_DEADLINE
    sent = 0
    with transaction.atomic():
        due = _due(state=State.SENT, not_yet="reminder_sent_at", moment="rsvp_deadline", now=now, window=window)
        for invitation in due:
            # The same link as in the invitation, made again from its nonce.
            token = _token(invitation) if invitation.token_nonce else _new_token(invitation)
            invitation.reminder_sent_at = now
            invitation.save(update_fields=["token_nonce", "token_hash", "reminder_sent_at"])
            mails.reminder_mail(invitation=invitation, token=token)
            sent += 1
    return sent


def practical_information_send(*, now=None) -> int:
    """Send the practical-information mail once to everyone with a place, INVITATIONS_PRACTICAL_DAYS before."""
    now = now or timezone.now()
    window = now + settings.INVITATIONS_PRACTICAL_BEFORE_EVENT
    sent = 0
    with transaction.atomic():
        due = _due(state=State.ACCEPTED, not_yet="practical_sent_at", moment="starts_at", now=now, window=window)
        for invitation in due:
            invitation.practical_sent_at = now
            invitation.save(update_fields=["practical_sent_at"])
            mails.practical_mail(invitation=invitation)
            sent += 1
    return sent
