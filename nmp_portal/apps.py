from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class NmpPortalConfig(AppConfig):
    name = "nmp_portal"
    verbose_name = "NMP Participatie"

    def ready(self):
        from post_office.signals import email_queued

        from . import checks  # noqa: F401  (registers the system checks)
        from .tasks import queue_delivery

        email_queued.connect(queue_delivery, dispatch_uid="nmp_portal.tasks.queue_delivery")


class NmpAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's own site class (branding and the start page)."""

    default = False  # the app nmp_portal itself stays NmpPortalConfig
    default_site = "nmp_portal.admin_site.NmpAdminSite"
