"""Embedded default: runs on a bare machine with nothing but Python.

SQLite under ``var/``, tasks run eagerly (no broker), mail printed to the
console, local-memory cache. Used by ``make run`` and ``make test``.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, POST_OFFICE, STORAGES, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-development-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)

# Served straight from the apps' and project's static folders (whitenoise finders),
# so no collectstatic is needed locally; production uses hashed, compressed files.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True

DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work side by side; IMMEDIATE takes the
    # write lock at BEGIN, so concurrent writers wait instead of failing with
    # "database is locked" halfway through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

POST_OFFICE = {
    **POST_OFFICE,
    "BACKENDS": {"default": env.str("POST_OFFICE_BACKEND", default="django.core.mail.backends.console.EmailBackend")},
}
