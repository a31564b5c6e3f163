"""Settings for the test suite: the embedded default, made fast and quiet.

The services suite points DATABASE_URL and REDIS_URL at real servers; see
``.ci/run``.
"""

from .local import *  # noqa: F403
from .local import POST_OFFICE, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
POST_OFFICE = {**POST_OFFICE, "BACKENDS": {"default": "django.core.mail.backends.locmem.EmailBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# The services suite's Celery worker delivers to a local SMTP server (aiosmtpd) when
# NMP_TEST_SMTP_PORT is set; the test process itself keeps the locmem backend.
_smtp_port = env.int("NMP_TEST_SMTP_PORT", default=0)
if _smtp_port:
    EMAIL_HOST = "127.0.0.1"
    EMAIL_PORT = _smtp_port
    POST_OFFICE = {**POST_OFFICE, "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"}}

# A second alias like a read replica (the same test database), so the replica
# router can be tested; no router is active unless a test sets DATABASE_ROUTERS.
DATABASES = {**DATABASES, "replica": {**DATABASES["default"], "TEST": {"MIRROR": "default"}}}  # noqa: F405
