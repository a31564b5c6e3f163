"""How every entry point (manage.py, the Celery app, WSGI) finds its settings.

One order for all of them: the process environment wins, then the ``.env``
file (``NMP_ENV_FILE`` names another file), then the entry point's default.
The ``.env`` file is read *before* the default is chosen, so an operator who
puts ``DJANGO_SETTINGS_MODULE`` in it gets those settings in the web process,
the worker and ``manage.py`` alike.
"""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

_defaulted = False


def env_file() -> Path:
    return Path(os.environ.get("NMP_ENV_FILE") or BASE_DIR / ".env")


def read_env_file():
    """Load ``.env`` into the process environment without overriding what is already set."""
    path = env_file()
    if path.is_file():
        environ.Env.read_env(path, overwrite=False)


def use_settings(default: str):
    """Set DJANGO_SETTINGS_MODULE from the environment, then ``.env``, then ``default``.

    Importing this package loads the Celery app (nmp_portal/__init__.py), which
    calls this with the worker's default before manage.py or wsgi.py can; a
    default chosen here is therefore replaced by a later entry point's default,
    while a value the operator set is never replaced.
    """
    global _defaulted
    read_env_file()
    if "DJANGO_SETTINGS_MODULE" not in os.environ or _defaulted:
        os.environ["DJANGO_SETTINGS_MODULE"] = default
        _defaulted = True
