from django.apps import AppConfig


class NmpPortalConfig(AppConfig):
    name = "nmp_portal"
    verbose_name = "NMP Participatie"
