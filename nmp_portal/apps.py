from django.apps import AppConfig


class NmpPortalConfig(AppConfig):
    name = "nmp_portal"
    verbose_name = "NMP Participatie"

    def ready(self):
        from post_office.signals import email_queued

        from .tasks import queue_delivery

        email_queued.connect(queue_delivery, dispatch_uid="nmp_portal.tasks.queue_delivery")
