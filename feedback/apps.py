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

    def _register_privacy_section(self):
        from participants.exports import register_privacy_section

        from . import privacy

        register_privacy_section("feedback", export=privacy.export, erase=privacy.erase)
