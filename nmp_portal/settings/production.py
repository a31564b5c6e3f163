"""Production: PostgreSQL, Redis (Celery broker and cache), SMTP.

Every secret and address comes from the environment; a missing one stops
start-up with one line naming it (see ``.env.example``).
"""

import sys

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import POST_OFFICE, env

REQUIRED = ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL"]
_missing = [name for name in REQUIRED if not env.str(name, default="")]
if _missing:
    message = f"Missing required environment variable: {_missing[0]} (see .env.example)"
    print(message, file=sys.stderr)
    raise ImproperlyConfigured(message)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[SITE_URL])  # noqa: F405

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
# Behind PgBouncer in transaction pooling mode the server connection may serve
# another client after each transaction, so nothing may outlive one: no
# server-side cursors (a named cursor lives across fetches) and no session
# settings of our own (Django sets only the time zone, which PgBouncer tracks).
TRANSACTION_POOLING = env.bool("DATABASE_TRANSACTION_POOLING", default=False)
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = TRANSACTION_POOLING
# Connected to PostgreSQL directly, a connection kept open across a PostgreSQL restart is tested
# before reuse, so the first request afterwards reconnects instead of failing. Behind PgBouncer the
# connection is to PgBouncer, which outlives a PostgreSQL restart and tests its own connections to
# the server (server_check_query); a test from here would cost every request a round trip and
# guard only against a restart of PgBouncer itself (that request gets the 503 page, the next one
# reconnects). DJANGO_CONN_HEALTH_CHECKS overrides either default.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DJANGO_CONN_HEALTH_CHECKS", default=not TRANSACTION_POOLING)
# Optional read replica: anonymous pages are rendered from it (nmp_portal.routers).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": DATABASES["default"]["CONN_HEALTH_CHECKS"],
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
    }
    DATABASE_ROUTERS = ["nmp_portal.routers.ReplicaRouter"]

_email = env.email_url("EMAIL_URL")
# A production process never shows debug pages or prints mail (with its reset links) to a log.
_unsafe = []
if DEBUG:
    _unsafe.append("DJANGO_DEBUG is on")
if _email.get("EMAIL_BACKEND") != "django.core.mail.backends.smtp.EmailBackend":
    _unsafe.append(f"EMAIL_URL does not name an SMTP server ({_email.get('EMAIL_BACKEND')})")
if _unsafe:
    message = f"Refusing to start with production settings: {'; '.join(_unsafe)} (see .env.example)"
    print(message, file=sys.stderr)
    raise ImproperlyConfigured(message)
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
POST_OFFICE = {**POST_OFFICE, "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"}}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
