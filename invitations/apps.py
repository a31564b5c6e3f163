from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "invitations"
    verbose_name = _("Invitations")

    def ready(self):
        from participants.exports import register_privacy_section
        from topics.pagecache import register_slot

        from . import context_processors, privacy

        register_privacy_section("invitations", export=privacy.export, erase=privacy.erase)
        register_slot("announcement", context_processors.announcement_slot)
