from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self):
        # Celery autodiscovers only modules named tasks.py; moderation's tasks live apart to keep imports one-way.
        from . import moderation_tasks  # noqa: F401

        self._register_privacy_section()
        from participants.sectors import on_sector_confirmed

        from .services import votes_confirm_sector

        on_sector_confirmed(votes_confirm_sector)
        self._public_names_on_pages()
        self._permission_names_kept_right()
        self._readers_own_copies_moved_on()

    def _readers_own_copies_moved_on(self):
        """A reader's own copy of a topic page (``readerpage.topic_reader_own``) is not used once their facts
        change. Votes, priorities and follows move it on in the services; confirmed addresses and roles here,
        from whichever code path changed them (allauth, the admin)."""
        from allauth.account.models import EmailAddress
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from topics import pagecache

        def address_changed(sender, instance, **kwargs):
            pagecache.reader_changed(instance.user_id)

        for signal in (post_save, post_delete):
            signal.connect(address_changed, sender=EmailAddress, dispatch_uid="feedback.reader_addresses", weak=False)

        def roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
            if not action.startswith("post_"):
                return
            if reverse or isinstance(instance, Group):  # a group's members or permissions: who knows how many
                pagecache.readers_changed()
            else:
                pagecache.reader_changed(instance.pk)

        user_model = get_user_model()
        for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(
                roles_changed, sender=through, dispatch_uid=f"feedback.reader_roles.{through.__name__}", weak=False
            )
        post_delete.connect(pagecache.readers_changed, sender=Group, dispatch_uid="feedback.reader_groups")

    def _permission_names_kept_right(self):
        """The reader's page maps permission ids to names, and the vote's standing query holds the roles'
        permission ids, per worker: forget them when permissions change (a migration, a flush)."""
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType
        from django.db.models.signals import post_delete, post_migrate, post_save

        from .readerpage import forget_permission_names
        from .selectors import forget_compiled_standing

        def forget(**kwargs):
            forget_permission_names()
            forget_compiled_standing()

        post_migrate.connect(forget, dispatch_uid="feedback.permission_names.migrate", weak=False)
        for model in (Permission, ContentType):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget, sender=model, dispatch_uid=f"feedback.permission_names.{model.__name__}", weak=False
                )

    def _public_names_on_pages(self):
        """A changed public name (or sector), or sign-up mode, shows at once on every kept page: the pages'
        content moves on."""
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from topics import pagecache

        shown = {"first_name", "last_name", "organisation", "sector", "display_mode", "deleted_at"}

        def changed(sender, instance, created, update_fields=None, **kwargs):
            if not created and (update_fields is None or shown & set(update_fields)):
                pagecache.bump(pagecache.CONTENT)

        post_save.connect(changed, sender=get_user_model(), dispatch_uid="feedback.public_names_on_pages", weak=False)

        from participants.models import PortalSettings

        def signup_changed(**kwargs):  # the header's sign-up link is on every kept page
            pagecache.bump(pagecache.CONTENT)

        post_save.connect(
            signup_changed, sender=PortalSettings, dispatch_uid="feedback.signup_mode_on_pages", weak=False
        )

    def _register_privacy_section(self):
        from participants.exports import register_privacy_section

        from . import privacy

        register_privacy_section("feedback", export=privacy.export, erase=privacy.erase)
