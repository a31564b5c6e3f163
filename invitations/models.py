"""The autumn session: events, the invitation roster and the answers (RSVPs)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.sectors import Sector
from topics.pagecache import readers_changed


class _MovesReadersOn(models.QuerySet):
    """Writes that send no signals (``update``, bulk) move readers' own page copies on, as saves do
    (``invitations.apps``): the announcement on a topic page shows the reader's invitation and the event."""

    def update(self, **kwargs):
        done = super().update(**kwargs)
        if done:
            readers_changed()
        return done

    def bulk_create(self, objs, *args, **kwargs):
        made = super().bulk_create(objs, *args, **kwargs)
        if made:
            readers_changed()
        return made

    def bulk_update(self, objs, *args, **kwargs):
        done = super().bulk_update(objs, *args, **kwargs)
        if done:
            readers_changed()
        return done


class EventQuerySet(_MovesReadersOn):
    def upcoming(self):
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at")

    def current(self):
        """The event announced on the site: the first one that has not ended yet."""
        return self.upcoming().first()


class Event(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    accessibility = models.TextField(
        _("accessibility"), blank=True, help_text=_("Step-free access, parking, hearing loop, and so on.")
    )
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("How many people can attend."))
    rsvp_deadline = models.DateTimeField(_("answer before"))
    open_to_participants = models.BooleanField(
        _("participants may register"),
        default=False,
        help_text=_("Participants with an account can sign up on the event page, without an invitation."),
    )
    practical_information = models.TextField(
        _("practical information"),
        blank=True,
        help_text=_("Sent to everyone who said yes, a few days before the event."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="invitations_event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(rsvp_deadline__lte=F("starts_at")), name="invitations_event_deadline_before_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="invitations_event_capacity_positive"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open_for_answers(self):
        return timezone.now() <= self.rsvp_deadline


class State(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Delivery failed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WAITING = "waiting", _("Waiting list")
    EXPIRED = "expired", _("Expired")


# States in which the invitee has not answered yet.
UNANSWERED = (State.QUEUED, State.SENT, State.FAILED)
ANSWERED = (State.ACCEPTED, State.DECLINED, State.WAITING)


class InvitationQuerySet(_MovesReadersOn):
    pass


class Invitation(models.Model):
    """One person on an event's roster: who, how far the invitation got, and their answer."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("event"))
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    note = models.TextField(_("personal note"), blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="nl")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.CONCEPT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("account"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    # The personal link's token is not kept: only its SHA-256, and the nonce it is made from with SECRET_KEY.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    token_nonce = models.CharField(max_length=32, blank=True, editable=False)
    mail = models.ForeignKey(
        "post_office.Email", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    needs = models.TextField(_("accessibility or dietary needs"), blank=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("delivery failed at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    waiting_since = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    practical_sent_at = models.DateTimeField(_("practical information sent at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["event", "name"]
        constraints = [
            models.UniqueConstraint("event", models.functions.Lower("email"), name="invitations_one_per_address"),
            models.CheckConstraint(condition=Q(state__in=State.values), name="invitations_state_valid"),
            models.CheckConstraint(condition=Q(sector__in=[*Sector.values, ""]), name="invitations_sector_valid"),
            models.CheckConstraint(
                condition=~Q(state=State.WAITING) | Q(waiting_since__isnull=False),
                name="invitations_waiting_has_since",
            ),
        ]
        indexes = [models.Index(fields=["event", "state"], name="invitations_event_state")]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def first_name(self):
        return self.name.split(" ", 1)[0] if self.name else ""

    @property
    def last_name(self):
        parts = self.name.split(" ", 1)
        return parts[1] if len(parts) > 1 else ""
