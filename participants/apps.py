from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import PortalSettings
        from .selectors import forget_signup_mode

        for signal in (post_save, post_delete):
            signal.connect(forget_signup_mode, sender=PortalSettings, dispatch_uid="participants.signup_mode")
