from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .sectors import SECTOR_PARTICIPANT_LABEL, Sector


class UserManager(BaseUserManager):
    """Users log in with their e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser needs is_staff and is_superuser.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class ParticipatesAs(models.TextChoices):
    ORGANISATION = "organisation", _("On behalf of my organisation")
    PERSONAL = "personal", _("Personally")


class DisplayMode(models.TextChoices):
    NAME_ORGANISATION = "name_organisation", _("My name and organisation")
    SECTOR_ONLY = "sector_only", _("Only my sector")


class User(AbstractUser):
    """A person with an account: stakeholder, moderator or organiser.

    Custom from the first migration so the account can grow (organisation,
    sector, preferences) without a painful swap later.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    participates_as = models.CharField(
        _("I take part"), max_length=20, choices=ParticipatesAs.choices, default=ParticipatesAs.ORGANISATION
    )
    display_mode = models.CharField(
        _("show next to my contributions"),
        max_length=20,
        choices=DisplayMode.choices,
        default=DisplayMode.NAME_ORGANISATION,
    )
    notify_replies = models.BooleanField(_("e-mail me when someone replies to my comment"), default=True)
    notify_updates = models.BooleanField(_("e-mail me about the autumn session and results"), default=True)
    notify_moderation_digest = models.BooleanField(
        _("e-mail me new reports and proposals (at most one mail an hour)"),
        default=True,
        help_text=_("For moderators only."),
    )
    language = models.CharField(_("language"), max_length=5, default="nl")
    privacy_accepted_at = models.DateTimeField(_("privacy statement accepted at"), null=True, blank=True)
    # Set when a moderator confirmed the sector or the person came in through an
    # invitation for it; cleared when the participant changes sector.
    sector_confirmed_at = models.DateTimeField(_("sector confirmed at"), null=True, blank=True, editable=False)
    sector_confirmed_source = models.CharField(_("sector confirmed by"), max_length=20, blank=True, editable=False)
    is_blocked = models.BooleanField(
        _("blocked"), default=False, help_text=_("A blocked participant can read but not contribute.")
    )
    blocked_reason = models.TextField(_("reason for blocking"), blank=True)
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    deleted_at = models.DateTimeField(
        _("deleted at"), null=True, blank=True, help_text=_("Personal data removed; the sector is kept for results.")
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        permissions = [("block_user", _("Can block and unblock participants"))]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="participants_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(sector__in=[*Sector.values, ""]), name="participants_user_sector_valid"
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def sector_confirmed(self):
        return self.sector_confirmed_at is not None

    @property
    def public_name(self):
        """How this person appears next to their contributions, as they chose."""
        if self.is_deleted:
            return _("Deleted participant")
        if self.display_mode == DisplayMode.SECTOR_ONLY or not self.get_full_name():
            return SECTOR_PARTICIPANT_LABEL.get(self.sector, _("Participant"))
        if self.organisation:
            return f"{self.get_full_name()} ({self.organisation})"
        return self.get_full_name()

    @property
    def public_sector(self):
        """The sector shown next to the public name; empty when the name already says it or the person left."""
        if self.is_deleted or self.display_mode == DisplayMode.SECTOR_ONLY:
            return ""
        return self.get_sector_display()


class SectorChange(models.Model):
    """A change of a participant's sector (or its confirmation), kept for moderators."""

    class Source(models.TextChoices):
        PROFILE = "profile", _("Changed by the participant")
        MODERATOR = "moderator", _("Confirmed by a moderator")
        INVITATION = "invitation", _("Confirmed by an invitation")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="sector_changes", verbose_name=_("participant")
    )
    old_sector = models.CharField(_("old sector"), max_length=20, blank=True)
    new_sector = models.CharField(_("new sector"), max_length=20, blank=True)
    source = models.CharField(_("how"), max_length=20, choices=Source.choices)
    changed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]
        verbose_name = _("sector change")
        verbose_name_plural = _("sector changes")

    def __str__(self):
        return f"{self.user_id}: {self.old_sector or '-'} -> {self.new_sector or '-'}"


class PortalSettings(models.Model):
    """Site-wide switches that staff change in the admin (one row)."""

    class SignupMode(models.TextChoices):
        OPEN = "open", _("Open: anyone with a verified e-mail address")
        INVITATION_ONLY = "invitation_only", _("Invitation only")

    signup_mode = models.CharField(_("sign-up"), max_length=20, choices=SignupMode.choices, default=SignupMode.OPEN)
    invitation_only_message = models.TextField(
        _("message when sign-up is by invitation only"),
        blank=True,
        help_text=_("Shown on the sign-up page: how to get an invitation."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("portal settings")
        verbose_name_plural = _("portal settings")

    def __str__(self):
        return str(_("Portal settings"))

    @classmethod
    def load(cls):
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
