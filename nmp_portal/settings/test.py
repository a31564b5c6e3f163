"""Settings for the test suite: the embedded default, made fast and quiet.

The services suite points DATABASE_URL and REDIS_URL at real servers; see
``.ci/run``.
"""

from .local import *  # noqa: F403
from .local import POST_OFFICE

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
POST_OFFICE = {**POST_OFFICE, "BACKENDS": {"default": "django.core.mail.backends.locmem.EmailBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# A second alias like a read replica (the same test database), so the replica
# router can be tested; no router is active unless a test sets DATABASE_ROUTERS.
DATABASES = {**DATABASES, "replica": {**DATABASES["default"], "TEST": {"MIRROR": "default"}}}  # noqa: F405
