from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from .models import PortalSettings
        from .selectors import forget_signup_mode
        from .usercache import moved_on

        for signal in (post_save, post_delete):
            signal.connect(forget_signup_mode, sender=PortalSettings, dispatch_uid="participants.signup_mode")
            # The cached copy of a logged-in request's user (``usercache``): not used once the row changed.
            signal.connect(moved_on, sender=get_user_model(), dispatch_uid="participants.user_cache")
