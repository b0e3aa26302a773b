"""Circlekeep settings, all from the environment (see .env.example).

Defaults are safe for production: DEBUG off, secure cookies, HSTS, strict CSP. A trial
run (`make run`) flips DEBUG on through the environment the Makefile sets.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from circlekeep.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CIRCLEKEEP_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("CIRCLEKEEP_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # A trial keeps its own random key in ./var so sessions survive restarts.
        from circlekeep.lib.keyfiles import read_or_create_secret

        SECRET_KEY = read_or_create_secret(VAR_DIR / "secret_key")
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) in the environment."
        )

# Keys that live outside the database: the vault's key-encryption keys and the audit
# trail's checkpoint-signing key. A trial keeps its own in ./var (owner-only files);
# production must provide them.
from circlekeep.lib.keyfiles import load_keyring, load_signing_key  # noqa: E402

VAULT_KEYRING = load_keyring(
    env_str("VAULT_KEYRING"), env_str("VAULT_KEYRING_PATH"),
    trial_path=VAR_DIR / "vault-keyring.json" if DEBUG else None, ephemeral=TESTING,
)
AUDIT_SIGNING_KEY = load_signing_key(
    env_str("AUDIT_SIGNING_KEY"),
    trial_path=VAR_DIR / "audit-signing.key" if DEBUG else None, ephemeral=TESTING,
)
# The head of the audit trail is signed by the first append after AUDIT_SIGN_EVERY_SECONDS
# (0: every append) or AUDIT_CHECKPOINT_EVERY events, whichever comes first.
AUDIT_CHECKPOINT_EVERY = env_int("AUDIT_CHECKPOINT_EVERY", 1000)
AUDIT_SIGN_EVERY_SECONDS = env_int("AUDIT_SIGN_EVERY_SECONDS", 2)
if AUDIT_CHECKPOINT_EVERY < 1 or AUDIT_SIGN_EVERY_SECONDS < 0:
    raise ImproperlyConfigured("AUDIT_CHECKPOINT_EVERY must be at least 1 and "
                               "AUDIT_SIGN_EVERY_SECONDS at least 0.")
# Public keys (base64) of signing keys retired earlier, whose checkpoints stay valid.
AUDIT_RETIRED_PUBLIC_KEYS = env_list("AUDIT_RETIRED_PUBLIC_KEYS")
# Witnesses outside the database that receive every signed head (circlekeep/audit/witness.py):
# an append-only file (empty turns it off; production keeps it on a separate volume), syslog
# (/dev/log or host:port) and an HTTP endpoint taking a JSON POST.
AUDIT_WITNESS_PATH = env_str("AUDIT_WITNESS_PATH", str(VAR_DIR / "audit-witness.jsonl"))
AUDIT_WITNESS_SYSLOG = env_str("AUDIT_WITNESS_SYSLOG")
AUDIT_WITNESS_URL = env_str("AUDIT_WITNESS_URL")
AUDIT_WITNESS_TIMEOUT = env_int("AUDIT_WITNESS_TIMEOUT_SECONDS", 3)
# Reads of protected information outside these local hours are flagged in the security
# report (in the reader's own time zone).
USUAL_HOURS = (env_int("USUAL_HOURS_START", 7), env_int("USUAL_HOURS_END", 20))
# Reads this many hours before a meeting of one of the reader's circles starts, or after
# it ends, are usual too (preparing, writing notes).
USUAL_HOURS_AROUND_MEETINGS = env_int("USUAL_HOURS_AROUND_MEETINGS", 3)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "circlekeep.audit",
    "circlekeep.vault",
    "circlekeep.orgs",
    "circlekeep.accounts",
    "circlekeep.notify",
    "circlekeep.circles",
    "circlekeep.agreements",
    "circlekeep.consent",
    "circlekeep.onboarding",
    "circlekeep.meetings",
    "circlekeep.notes",
    "circlekeep.disclosures",
    "circlekeep.incidents",
    "circlekeep.training",
    "circlekeep.feedback",
    "circlekeep.rooms",
    # Above the domain apps: pages and commands that gather their work.
    "circlekeep.trail",
    "circlekeep.custody",
    "circlekeep.home",
]

MIDDLEWARE = [
    "circlekeep.lib.notrace.CookielessMiddleware",
    "circlekeep.lib.middleware.RequestIdMiddleware",
    "circlekeep.lib.request_cache.RequestCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "circlekeep.lib.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so that static files keep their long-lived caching.
    "circlekeep.lib.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "circlekeep.lib.notrace.NoTraceMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "circlekeep.lib.middleware.RefuseUnsafeTextMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "circlekeep.accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "circlekeep.accounts.middleware.UserPreferencesMiddleware",
    "circlekeep.accounts.middleware.IdleTimeoutMiddleware",
    "circlekeep.accounts.middleware.RequireTwoFactorMiddleware",
    "circlekeep.lib.middleware.ProductNotFoundMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "csp.context_processors.nonce",
                "circlekeep.home.context_processors.navigation",
                "circlekeep.notify.context_processors.notifications",
                "circlekeep.accounts.context_processors.session_keeper",
            ],
            "string_if_invalid": "",
            "libraries": {"assets": "circlekeep.lib.assets", "times": "circlekeep.lib.times",
                          "roles": "circlekeep.lib.roles",
                          "sentences": "circlekeep.lib.sentences"},
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600,
                                                  conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend, creating the file owner-only (it holds the trial's
            # audit trail and ciphertext; its -wal and -shm files copy its mode).
            "ENGINE": "circlekeep.lib.sqlite",
            "NAME": VAR_DIR / "circlekeep.sqlite3",
            "OPTIONS": {
                # WAL and a busy timeout let the web server and commands share the file;
                # IMMEDIATE transactions take the write lock up front, so two writers
                # wait for each other instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # Reusing connections spares each request the open and its pragmas.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            # Tests use a file too: an in-memory database shared between threads answers
            # concurrent writers with "table is locked" instead of waiting its turn.
            "TEST": {"NAME": str(Path(tempfile.gettempdir())
                                 / f"circlekeep-test-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "circlekeep.lib.cache.ReusingRedisCache",
                          "LOCATION": REDIS_URL, "KEY_PREFIX": "ck"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "circlekeep.accounts.backends.EmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("email", "display_name")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Sessions are read from the cache (Redis in production) and written through to the
# database, so an ordinary request costs no session query and a restart loses nobody.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_NAME = "ck_session"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_HTTPONLY = True
IDLE_TIMEOUT_MEMBER = timedelta(minutes=env_int("IDLE_TIMEOUT_MEMBER_MINUTES", 30))
IDLE_TIMEOUT_STAFF = timedelta(minutes=env_int("IDLE_TIMEOUT_STAFF_MINUTES", 15))
# How long before an idle session ends the page offers to keep it ("Stay signed in").
IDLE_WARNING = timedelta(minutes=env_int("IDLE_WARNING_MINUTES", 2))
# A form sent after the session ended is kept (sealed) this long for its author to sign in.
FORM_DRAFT_MINUTES = env_int("FORM_DRAFT_MINUTES", 60)
# How recently a person must have proved themselves (password, and the second step where
# they have it) to change the password or two-step sign-in, or make an API token.
REAUTHENTICATION_WINDOW = timedelta(minutes=env_int("REAUTHENTICATION_MINUTES", 10))

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
# The online rooms' websockets (docs/rooms.md), served by the ASGI server (config/asgi.py).
# Empty: the same host as the pages, as behind a proxy that sends /ws/ to the ASGI pool.
# `make run` serves them from a second port on the same host.
ROOM_WS_URL = env_str("ROOM_WS_URL", "").rstrip("/")
# Redis pub/sub channels are shared by all of a server's databases: the prefix keeps apart
# two deployments (or two test runs) that use one Redis.
CHANNEL_LAYER_PREFIX = env_str("CHANNEL_LAYER_PREFIX", "ck-rooms")
if REDIS_URL and not env_bool("CHANNEL_LAYER_IN_MEMORY", False):
    CHANNEL_LAYERS = {"default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": CHANNEL_LAYER_PREFIX}}}
else:
    # One process only: a trial, and tests that run the room in one process.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF, *([ROOM_WS_URL] if ROOM_WS_URL else [])],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Lockout after repeated failed sign-ins, by address and by account separately.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "circlekeep.accounts.views.locked_out"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Circlekeep")
OTP_TOTP_THROTTLE_FACTOR = 1
BACKUP_CODE_COUNT = 10

INVITATION_LIFETIME = timedelta(days=7)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Circlekeep <no-reply@localhost>")

# Background work (notification e-mails) goes through Django's tasks API into the database;
# a worker, `manage.py db_worker`, runs it (`make run` starts one beside the web server).
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Every state change goes through an action; under test a write to a domain model outside
# one, or an action that writes without an audit event, raises.
GUARD_ACTION_WRITES = TESTING

# Paths whose requests leave no session write and no per-request log line: the concern
# report (page and API; visiting it says someone means to report) and the anonymous
# channels below. See circlekeep/lib/notrace.py.
# Each anonymous feedback round's RSA key (RFC 9474 asks for at least 2048 bits; 3072 is
# the round's strength for years). The test run uses 2048 to keep key generation quick.
FEEDBACK_KEY_BITS = env_int("FEEDBACK_KEY_BITS", 2048 if TESTING else 3072)
if FEEDBACK_KEY_BITS < 2048:
    raise ImproperlyConfigured("FEEDBACK_KEY_BITS must be at least 2048.")
NO_TRACE_PATHS = [
    r"^/incidents/circles/[^/]+/report/$",
    r"^/api/v1/circles/[^/]+/concerns$",
    # Anonymous feedback: the round's page (opening it says someone may mean to answer),
    # the key fetched right before sending, and the sending itself.
    r"^/feedback/rounds/[^/]+/$",
    r"^/api/v1/feedback-rounds/[^/]+/key$",
    r"^/api/v1/feedback/entries$",
    # The scripts only those two pages load (a request for one says the page was opened).
    r"^/static/js/(feedback-answer|concern-report)(\.[0-9a-f]+)?\.js$",
    # Anonymous concerns: the day's key fetched right before sending, and the sending.
    r"^/api/v1/circles/[^/]+/concern-keys/[^/]+$",
    r"^/api/v1/anonymous-concerns$",
]
# Requests whose cookies are dropped before anything reads them: the ends a member's
# browser calls without credentials when sending anonymous feedback or an anonymous concern.
COOKIELESS_PATHS = [
    r"^/api/v1/feedback-rounds/[^/]+/key$",
    r"^/api/v1/feedback/entries$",
    r"^/api/v1/circles/[^/]+/concern-keys/[^/]+$",
    r"^/api/v1/anonymous-concerns$",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_trace": {"()": "circlekeep.lib.notrace.NoTraceFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_trace"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Access lines (runserver's, and gunicorn's if its access log is turned on) and
        # request warnings go through the same filter.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False,
                          "filters": ["no_trace"]},
        "django.request": {"filters": ["no_trace"]},
        "gunicorn.access": {"filters": ["no_trace"]},
    },
}

if TESTING:
    # Speed and isolation only.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A task runs as soon as it is enqueued, which is after the action's commit.
    TASKS["default"]["BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }

SILENCED_SYSTEM_CHECKS = [
    # E-mail is unique case-insensitively through a functional constraint
    # (accounts.User.Meta), which this check cannot see.
    "auth.W004",
    # The audit record's CHECK constraint is SQL the database enforces; audit rows are
    # written by the audit writer's SQL and never pass through full_clean().
    "models.W045",
]
