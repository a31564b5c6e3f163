from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "invitations"
    verbose_name = _("Invitations")

    def ready(self):
        from participants.exports import register_privacy_section

        from . import privacy

        register_privacy_section("invitations", export=privacy.export, erase=privacy.erase)
