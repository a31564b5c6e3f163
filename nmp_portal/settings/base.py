"""Settings shared by every environment.

Values that differ per deployment come from the environment through
django-environ (see ``.env.example``). ``local`` adds embedded defaults so the
site runs without any server; ``production`` requires every secret.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from nmp_portal.environment import read_env_file

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer may keep overrides in .env; the environment itself always wins.
read_env_file()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SITE_NAME = "NMP Participatie"
# Links in mails. By default the address `make run` serves (it passes HOST and
# PORT on as NMP_HOST and NMP_PORT), so links in mails printed locally work.
SITE_URL = env.str(
    "SITE_URL",
    default=f"http://{env.str('NMP_HOST', default='127.0.0.1')}:{env.str('NMP_PORT', default='8000')}",
).rstrip("/")
CONTACT_EMAIL = env.str("NMP_CONTACT_EMAIL", default="postbusnationaalmilieuprogramma@minienw.nl")
# A comment hidden by a moderator keeps its text this many days (evidence for an objection), then it is erased.
MODERATION_HIDDEN_RETENTION_DAYS = env.int("MODERATION_HIDDEN_RETENTION_DAYS", default=180)

INSTALLED_APPS = [
    "nmp_portal.apps.NmpAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "bootstrap",  # django-bootstrap-static: Bootstrap's CSS/JS from PyPI, no CDN
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
    "rules.apps.AutodiscoverRulesConfig",
    "post_office",
    "django_celery_beat",
    "import_export",
    "csp",  # django-csp: the Content-Security-Policy header and its system checks
    # Our apps
    "nmp_portal",
    "participants",
    "topics",
    "feedback",
    "invitations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "nmp_portal.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "participants.middleware.SessionTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "participants.middleware.StaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "nmp_portal.middleware.SiteNotFoundPageMiddleware",
]

ROOT_URLCONF = "nmp_portal.urls"
WSGI_APPLICATION = "nmp_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nmp_portal.context_processors.site",
                "invitations.context_processors.announcement",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# Each environment sets DATABASES; requests are not wrapped in one transaction
# because every write goes through a service that opens its own.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "participants.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Django's and allauth's, with the user lookup of every logged-in request compiled once (participants.backends).
    "participants.backends.ModelBackend",
    "participants.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "topics:home"

# django-allauth: e-mail is the login; every account page is allauth's.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
# Every mail's subject starts with the portal's name, allauth's and Django's own included.
EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "NMP Participatie"
# Participant accounts: our sign-up form and adapter, e-mail change
# with re-verification, optional login by e-mailed code, mails on changes.
ACCOUNT_ADAPTER = "participants.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "participants.forms.SignupForm"}
ACCOUNT_PASSWORD_MIN_LENGTH = 12
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_REDIRECT_URL = "topics:home"
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Every limit answers HTTP 429 with templates/429.html. Failed logins count per
# IP and per account (the "key" is the e-mail address).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/m/ip,50/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Behind a reverse proxy every request comes from the proxy's address; these tell allauth
# where the client's own address is, so its per-IP limits count per client (docs/deployment.md).
# Either the number of proxies that append to X-Forwarded-For, or a header the proxy sets.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default="") or None
# Contributions per account ("user") and per client address ("ip", the real one behind the proxy):
# generous for people, a 429 page for scripts (feedback/ratelimits.py, docs/security.md).
CONTRIBUTION_RATE_LIMITS = {
    # comments and replies (new ones and edits)
    "comment": env.str("RATE_LIMIT_COMMENTS", default="10/m/user,100/h/user,30/m/ip"),
    "proposal": env.str("RATE_LIMIT_PROPOSALS", default="5/m/user,30/h/user,20/m/ip"),
    "report": env.str("RATE_LIMIT_REPORTS", default="10/m/user,60/h/user,30/m/ip"),
    # votes, vote changes and priorities
    "vote": env.str("RATE_LIMIT_VOTES", default="60/m/user,1000/h/user,300/m/ip"),
    # answers to an invitation or a registration for an event (changing your answer included)
    "rsvp": env.str("RATE_LIMIT_RSVPS", default="10/m/user,60/h/user,30/m/ip"),
}
# Sessions end after 30 minutes without activity and after 12 hours at most
# (participants.middleware.SessionTimeoutMiddleware); the cookie age is the backstop.
NMP_SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
NMP_SESSION_MAX_AGE = timedelta(hours=12)
SESSION_COOKIE_AGE = int(NMP_SESSION_MAX_AGE.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions in the database with a copy in the cache for at most this many seconds (participants/sessions.py):
# no session query on most requests, and a logout missed by an unreachable Redis lasts a minute at most.
SESSION_ENGINE = "participants.sessions"
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=60)
CSRF_FAILURE_VIEW = "nmp_portal.views.csrf_failure"

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
# The portal's own catalogue (made by `make messages`) first, then the hand-kept Dutch for allauth's
# texts; both come before the installed apps' catalogues, so they win over allauth's own Dutch.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
USE_I18N = True
# Dates read "26 juni 2024, 10:00": templates use |date:"DATETIME_FORMAT", Python date_format(value, "DATETIME_FORMAT").
FORMAT_MODULE_PATH = ["nmp_portal.formats"]
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Briefing workbooks: written by the Celery worker, served to staff by a view that reads them back.
    # Default: MEDIA_ROOT/briefings. With more than one machine, shared or object storage (docs/performance.md),
    # e.g. BRIEFING_STORAGE_BACKEND=storages.backends.s3.S3Storage
    # BRIEFING_STORAGE_OPTIONS='{"bucket_name": "nmp-briefings", "location": "briefings"}' (django-storages).
    "briefings": {
        "BACKEND": env.str("BRIEFING_STORAGE_BACKEND", default="feedback.results.storage.BriefingFileStorage"),
        "OPTIONS": env.json("BRIEFING_STORAGE_OPTIONS", default={}),
    },
}

# --- Forms ----------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Cache, Celery, mail ------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

# Seconds to wait for Redis (cache, broker, health check) before treating it as down:
# a Redis outage must cost a request a fraction of a second, never a sync worker for seconds.
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.5)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)

if REDIS_URL:
    # Errors count as cache misses (nmp_portal/cache.py): a Redis outage degrades, never a 500.
    CACHES = {
        "default": {
            "BACKEND": "nmp_portal.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without a broker the embedded default runs every task in-process, at once.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
# One quick retry when publishing; a task that still cannot be queued is left to the
# periodic sweeps (nmp_portal/celery.py: the database is the source of truth).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = 5
# Every task is stopped after these many seconds (soft: an exception it can clean up after;
# hard: the worker process is killed). Needs the default prefork pool.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# Seconds a mail being delivered stays claimed by one worker (nmp_portal.mail). Longer than the
# hard time limit, so a live worker always finishes first; a worker killed mid-send leaves its
# mail to the next sweep after this lease. Checked at start-up (nmp_portal.checks).
MAIL_CLAIM_LEASE = env.int("MAIL_CLAIM_LEASE", default=600)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Three queues, so mail and heavy work (the briefing workbook) can get workers of their own
# (`celery worker -Q mail`, docs/performance.md); a worker started without -Q serves all three.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue("celery"), Queue("mail"), Queue("heavy")]
CELERY_TASK_ROUTES = {
    "nmp_portal.tasks.deliver_mail": {"queue": "mail"},
    "nmp_portal.tasks.deliver_due_mail": {"queue": "mail"},
    "feedback.tasks.send_reply_mail": {"queue": "mail"},
    "feedback.tasks.send_due_reply_mails": {"queue": "mail"},
    "feedback.results.tasks.build_briefing_workbook": {"queue": "heavy"},
}
# Seconds between two publications of the votes and priorities noted by the services.
RESULTS_PUBLISH_INTERVAL = env.int("RESULTS_PUBLISH_INTERVAL", default=5)
CELERY_BEAT_SCHEDULE = {
    # Retries requeued mail and picks up anything a lost task left behind.
    "send-queued-mail": {"task": "nmp_portal.tasks.deliver_due_mail", "schedule": timedelta(minutes=1)},
    # Reply mails that waited for their hour (feedback: at most one mail per thread per hour).
    "send-due-reply-mails": {"task": "feedback.tasks.send_due_reply_mails", "schedule": timedelta(minutes=10)},
    # Followers of a topic: one mail a day at most, sent when there is news (feedback.digest).
    "send-follow-digests": {"task": "feedback.tasks.send_due_follow_digests", "schedule": timedelta(hours=1)},
    # Results: votes and priorities are published by the worker, not in the request
    # (feedback/results/publication.py): the noted changes every few seconds, every cell each minute.
    "publish-pending-results": {
        "task": "feedback.results.tasks.publish_pending_results",
        "schedule": timedelta(seconds=RESULTS_PUBLISH_INTERVAL),
    },
    "publish-all-results": {"task": "feedback.results.tasks.publish_all_results", "schedule": timedelta(minutes=1)},
    "remove-old-briefing-workbooks": {
        "task": "feedback.results.tasks.remove_old_workbooks",
        "schedule": timedelta(hours=1),
    },
    # Invitations: queue again what a down broker left, record deliveries (invitations/services.py).
    "invitations-pickup": {"task": "invitations.tasks.pickup_queued_invitations", "schedule": timedelta(minutes=1)},
    "invitations-reminders": {"task": "invitations.tasks.send_reminders", "schedule": timedelta(hours=1)},
    "invitations-practical": {"task": "invitations.tasks.send_practical_information", "schedule": timedelta(hours=1)},
    "invitations-expire": {"task": "invitations.tasks.expire_invitations", "schedule": timedelta(hours=1)},
    # New reports and proposals to the moderators: one mail an hour at most, only when there is something new.
    "moderation-digest": {"task": "feedback.moderation_tasks.send_moderation_digest", "schedule": timedelta(hours=1)},
    # The text of comments hidden longer ago than MODERATION_HIDDEN_RETENTION_DAYS is erased.
    "erase-hidden-comments": {"task": "feedback.tasks.erase_expired_hidden_comments", "schedule": timedelta(days=1)},
    "cleanup-mail": {"task": "nmp_portal.tasks.cleanup_mail", "schedule": timedelta(days=1), "kwargs": {"days": 180}},
}

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="NMP Participatie <noreply@nmp-participatie.nl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every outgoing mail, Django's and third-party apps' too, is queued in the
# database by post_office and delivered by a Celery task after commit.
EMAIL_BACKEND = "participants.mailqueue.EmailBackend"
# Seconds the SMTP connection may wait for the mail server; a silent server must not hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
POST_OFFICE = {
    # Delivery is ours (nmp_portal.mail): one task per queued mail, after commit.
    "CELERY_ENABLED": False,
    "MAX_RETRIES": 4,
    "RETRY_INTERVAL": timedelta(minutes=5),
    "DEFAULT_PRIORITY": "medium",
    "MESSAGE_ID_ENABLED": True,
    # Message-IDs end in the site's own domain, not the worker's host name (often "localhost").
    "MESSAGE_ID_FQDN": urlsplit(SITE_URL).hostname or "localhost",
    "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"},
}

# --- Security -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# django-csp. No inline scripts or styles anywhere, so the policy forbids both. It covers every
# response, the admin included (Django's admin templates have no inline script or style either); the one
# casualty is django-post-office's e-mail template form, whose CodeMirror editor comes from a CDN with an
# inline script: it is blocked and the form falls back to plain text areas, which work as before.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# django-permissions-policy: the site uses none of these browser features.
PERMISSIONS_POLICY = {"camera": [], "microphone": [], "geolocation": []}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"forbidden_without_traceback": {"()": "nmp_portal.logging.ForbiddenWithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["forbidden_without_traceback"]}
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "post_office": {"level": "WARNING"},
        # Django's own console handler (active with DEBUG) would print every warning a second time.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# --- Results per sector (feedback/results/; see docs/results.md) ---------------------
# A sector's figures are shown only from this many voters on a recommendation
# ("te weinig stemmen" below it), to keep shares meaningful and individuals unrecognisable.
RESULTS_MIN_SECTOR_VOTERS = env.int("RESULTS_MIN_SECTOR_VOTERS", default=3)
# Below this many voters in total a recommendation gets the label "Te weinig stemmen".
RESULTS_MIN_TOTAL_VOTERS = env.int("RESULTS_MIN_TOTAL_VOTERS", default=10)
# "Breed gedragen" / "Verdeeld" need at least this many sectors with enough voters.
# A participant can change their sector once in this many days (0: any time); votes keep the sector
# they were cast with, so a change only counts for votes cast after it.
SECTOR_CHANGE_MIN_DAYS = env.int("SECTOR_CHANGE_MIN_DAYS", default=30)
RESULTS_MIN_SECTORS = env.int("RESULTS_MIN_SECTORS", default=2)
# A sector has a majority for a position when its share is strictly above this.
RESULTS_MAJORITY = env.float("RESULTS_MAJORITY", default=0.5)
# Briefing: how many comments for and against each recommendation are shown.
RESULTS_BRIEFING_COMMENTS_PER_STANCE = 3
# Briefing workbooks hold staff data: removed this long after they were made (beat task, hourly).
BRIEFING_WORKBOOK_RETENTION = timedelta(hours=env.int("BRIEFING_WORKBOOK_RETENTION_HOURS", default=24))

# Files the site writes (briefing workbooks). Not served publicly: downloads go through a view.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

# --- Invitations (invitations/; see docs/invitations.md) ------------------------------------
# The one reminder goes to invitees without an answer this long before the deadline.
INVITATIONS_REMINDER_BEFORE_DEADLINE = timedelta(days=env.int("INVITATIONS_REMINDER_DAYS", default=3))
# The practical-information mail goes to everyone with a place this long before the event.
INVITATIONS_PRACTICAL_BEFORE_EVENT = timedelta(days=env.int("INVITATIONS_PRACTICAL_DAYS", default=2))
# Opening personal links: at most this many per minute per IP address (tampered links look alike).
INVITATIONS_LINK_RATE = env.int("INVITATIONS_LINK_RATE", default=30)
