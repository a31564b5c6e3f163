"""WSGI entry point for gunicorn: ``gunicorn nmp_portal.wsgi``."""

from django.core.wsgi import get_wsgi_application

from .environment import use_settings

use_settings(default="nmp_portal.settings.production")

application = get_wsgi_application()
