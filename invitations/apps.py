from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "invitations"
    verbose_name = _("Invitations")

    def ready(self):
        from feedback.readerpage import register_fact
        from participants.exports import register_privacy_section
        from topics.pagecache import register_slot

        from . import context_processors, privacy

        register_privacy_section("invitations", export=privacy.export, erase=privacy.erase)
        register_slot("announcement", context_processors.announcement_slot)
        # The announcement's question asked in the reader's one query on a shared topic page.
        register_fact(context_processors.FACT, context_processors.invited_fact, context_processors.take_invited)
        # The announcement is part of each reader's own copy of a topic page: any change to an invitation or
        # an event moves every such copy on (saves and deletes here; update() and bulk writes in the models'
        # QuerySets).
        from django.db.models.signals import post_delete, post_save

        from topics.pagecache import readers_changed

        from .models import Event, Invitation

        for model in (Event, Invitation):
            for signal in (post_save, post_delete):
                signal.connect(
                    readers_changed, sender=model, dispatch_uid=f"invitations.readers.{model.__name__}", weak=False
                )
