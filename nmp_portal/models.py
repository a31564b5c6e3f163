from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffVisit(models.Model):
    """When a staff member last opened the admin's start page: "new since your last visit" counts from it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_visit", verbose_name=_("user")
    )
    seen_at = models.DateTimeField(_("last visit"))

    class Meta:
        verbose_name = _("staff visit")
        verbose_name_plural = _("staff visits")

    def __str__(self):
        return f"{self.user_id} {self.seen_at:%Y-%m-%d %H:%M}"
