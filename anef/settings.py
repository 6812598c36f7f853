"""Settings for anef: one module, configured from the environment only (12-factor).

Every variable has an embedded default so that `make run` works on a fresh machine with only
Python: SQLite and local files under `var/`, a Celery broker that needs no server (kombu's
filesystem transport), e-mails printed to the console. Production (docker-compose.yml) sets
DATABASE_URL, REDIS_URL, the S3 variables, EMAIL_URL, SECRET_KEY, DEBUG and ALLOWED_HOSTS.
"""

import ipaddress
import json
import os
import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A developer may keep local overrides in a .env file; the environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("ANEF_VAR_DIR", default=str(BASE_DIR / "var")))
# The embedded default (no DATABASE_URL: SQLite, documents, cache and broker under var/) keeps
# every file it creates private to the account running it (issue 15: the database and identity
# documents were world-readable): files 0600, folders 0700. The umask is set here because
# manage.py, the WSGI server and Celery all load these settings before creating any file.
EMBEDDED_DEFAULT = not env.str("DATABASE_URL", default="")
if EMBEDDED_DEFAULT:
    os.umask(0o077)
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
if EMBEDDED_DEFAULT:
    VAR_DIR.chmod(0o700)  # also a var/ created world-readable by an older version


def _embedded_secret_key() -> str:
    """A random key kept under var/ for the embedded default; production sets SECRET_KEY."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Public address of the portal, used in e-mails and on attestations.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

INSTALLED_APPS = [
    "anef.admin_site.AnefAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "widget_tweaks",
    "dsfr",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "auditlog",
    "anef",
    "reference",
    "accounts",
    "applications",
    "attestations",
    "support",
    "substitution",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen: the 400 page is in the person's language.
    "anef.input_middleware.RejectNulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "anef.middleware.StaffMfaRequiredMiddleware",
    # auditlog's own trusts any X-Forwarded-For: ours records the client of anef/client_ip.py.
    "anef.client_ip.ClientIpAuditlogMiddleware",
]

ROOT_URLCONF = "anef.urls"
WSGI_APPLICATION = "anef.wsgi.application"

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
                "anef.context_processors.portal",
                "accounts.views.acting.acting_for_context",
                # Last: a cached page's CSRF token is a placeholder (anef/page_cache.py).
                "anef.page_cache.csrf_placeholder",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'anef.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs web, worker and beat on one file: WAL lets readers and one
    # writer proceed together, IMMEDIATE transactions avoid "database is locked" on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a real Celery worker started by a test sees the test data;
    # one per test process, so that two test runs at once never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_POOL", default=True
):
    # psycopg 3 with Django's built-in connection pool (Django >= 5.1).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
        "timeout": 10,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
# REDIS_URL is the Celery broker (and the cache unless CACHE_REDIS_URL is set). In production
# they are two Redis instances, since eviction is set per instance: the broker must never evict
# (`noeviction`: a dropped message is a lost task), the cache must (`allkeys-lru` under a
# `maxmemory`: it holds rendered pages and counters, and must not grow without bound).
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default="") or REDIS_URL
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            # Redis down: reads miss, writes are dropped, nobody gets an error (anef/cache.py).
            "BACKEND": "anef.cache.FailOpenRedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "anef",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# django-redis logs every Redis error it ignores, to anef.cache's logger (one a minute, LOGGING).
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "anef.cache"

# The busiest signed-in pages (dashboard, queue, console) are kept in the cache until a service
# changes what they show (anef/page_cache.py, anef/generations.py).
PAGE_CACHE_ENABLED = True

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    # allauth's e-mail login, accounts found by their normalised e-mail (accounts/backends.py).
    "accounts.backends.EmailKeyAuthenticationBackend",
]
# Argon2id first (accounts/hashers.py says why these parameters); the others only read the hashes
# stored before it, which Django rewrites with Argon2id at the next sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: e-mail login, sign-up, e-mail confirmation, password reset, MFA.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm", "login": "accounts.forms.LoginForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "anef"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("ar", _("Arabic")),  # right to left (base.html sets dir="rtl")
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files and documents ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"  # documents are never served by URL, only through views

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    # Identity documents: private objects, signed URLs never handed out (views stream them).
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path"),
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=False)
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (the embedded default), WhiteNoise serves straight from the finders;
# with the manifest (production image), only the collected, hashed files.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# Supporting documents: PDF, JPEG or PNG (checked by their bytes), any number per piece.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=20 * 1000 * 1000)
# Django keeps uploads above this size on disk instead of in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Documents stored on a file system are readable by the account running anef only, whatever
# the umask (FileSystemStorage applies these to every file and folder it creates).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- E-mail -------------------------------------------------------------------------------------
# A worker sending the outbox holds the message's row lock while it talks to the mail server: a
# server that accepts the connection and then stalls must not hold it for ever
# (a ?timeout= in EMAIL_URL wins).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="anef <ne-pas-repondre@anef.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security --------------------------------------------------------------------------------
# Served over HTTPS (SITE_URL says so): secure cookies, redirect to HTTPS and HSTS by default, so
# that production passes `manage.py check --deploy` with no warning. The embedded default and
# docker compose run on http://localhost, where none of this applies. The health probes
# (/healthz, /healthz/live, /ready, /scheduler) stay reachable over plain HTTP for probes inside
# the private network; /metrics does not (it takes a bearer token).
SERVED_OVER_HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=SERVED_OVER_HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=SERVED_OVER_HTTPS)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SERVED_OVER_HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz(/(live|ready|scheduler))?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if SERVED_OVER_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Staff (agents, contact centre, administrators) must set up a second factor (TOTP) before using
# their consoles (anef/middleware.py). On by default wherever the site is served over HTTPS.
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=SERVED_OVER_HTTPS)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): only this site's own scripts, styles, fonts and images
# (plus data: images, e.g. the TOTP set-up QR code), no inline script or style anywhere
# (tests/test_content_security_policy.py scans the templates; the browser tests listen for
# violations), no plugin, no framing, forms posted only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The networks of the reverse proxies in front (e.g. "10.0.0.0/8,fd00::/8"): X-Forwarded-For is
# read only as far as they wrote it, for every limit and the audit log (anef/client_ip.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _network in TRUSTED_PROXIES:  # a typo stops the start, not the first request
    ipaddress.ip_network(_network, strict=False)

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Staff tokens expire and need a second factor (anef/api_auth.py, issue 15).
        "anef.api_auth.StaffAwareTokenAuthentication",
    ],
    # One JSON parser with a depth limit for every endpoint (anef/api_parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "anef.api_parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "anef.api_errors.exception_handler",
    # Public verification of attestations, per client IP (attestations/throttling.py): the JSON
    # endpoints for organisations, the HTML page, and the typing of share codes.
    "DEFAULT_THROTTLE_RATES": {
        "verify": env.str("VERIFY_API_RATE", default="60/min"),
        "verify_page": env.str("VERIFY_PAGE_RATE", default="60/min"),
        "share_code": env.str("VERIFY_SHARE_CODE_RATE", default="10/min"),
    },
}
# A staff member's API token is valid this long after it was issued (anef/api_auth.py).
STAFF_API_TOKEN_TTL_SECONDS = env.int("STAFF_API_TOKEN_TTL_SECONDS", default=12 * 3600)
# JSON bodies nested deeper than this are refused with a 400 (anef/api_parsers.py).
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
SPECTACULAR_SETTINGS = {
    "TITLE": "anef API",
    "DESCRIPTION": "Residence-permit applications, attestations and support.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema must not depend on the language the server runs in.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    # Swagger UI served from our own static files: no third-party CDN on an identity service.
    # Several models have a `status`: each choice set gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "applications.enums.ApplicationStatus",
    },
    # Enums as drf-spectacular does by default, then the 400 of a NUL in a query value.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "anef.api_schema.document_unreadable_query",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    # Deep links put a link inside each operation's button (nested interactive elements, which
    # screen readers and keyboards cannot reach apart); the operations stay reachable by tag.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery -------------------------------------------------------------------------------------
# Without REDIS_URL, kombu's filesystem transport needs no server. It may lose a message on a
# crash, which is why due work lives in the database and beat's sweeps recompute it.
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The queue tasks go to when nothing routes them elsewhere: one per deployment sharing a Redis
# database (tests/deployment runs a whole topology beside the developer's own worker).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# One beat schedules at a time, however many run (anef/beat.py: a PostgreSQL advisory lock);
# the others stand by and try the lock again every BEAT_LEADER_RETRY_SECONDS.
CELERY_BEAT_SCHEDULER = "anef.beat:LeaderScheduler"
BEAT_LEADER_RETRY_SECONDS = env.float("BEAT_LEADER_RETRY_SECONDS", default=5)
CELERY_BEAT_SCHEDULE = {
    "attestations-sweep": {
        "task": "attestations.sweep",
        "schedule": env.int("ATTESTATION_SWEEP_SECONDS", default=3600),
    },
    "mandate-expiry-warnings": {
        "task": "accounts.mandate_expiry_warnings",
        "schedule": env.int("MANDATE_WARNING_SECONDS", default=3600),
    },
    "support-escalate-overdue": {
        "task": "support.escalate_overdue",
        "schedule": 600.0,
    },
    # Appointment reminders the day before (substitution, issue 6); idempotent, so hourly.
    "substitution-reminders": {
        "task": "substitution.send_reminders",
        "schedule": 3600.0,
    },
    # Retention of documents (issue 8): warn, then delete when due; idempotent, so daily.
    "documents-retention": {
        "task": "applications.documents_retention",
        "schedule": crontab(hour=3, minute=30),
    },
    # Renewal reminders (issue 16): the 120th/90th/70th day before a card ends, and what an
    # incomplete renewal lacks on the 30th/20th; logged once per channel, so a rerun is harmless.
    "renewal-reminders": {
        "task": "applications.renewal_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Exports of the agents' queues (issue 20) are kept 24 hours, then deleted with their files.
    "queue-exports-purge": {
        "task": "applications.queue_exports_purge",
        "schedule": crontab(minute=15),
    },
    # The outbox (anef/outbox.py, issue 17): messages not sent by their on-commit nudge (worker
    # down, mail server down) and retries whose time has come.
    "outbox-send-due": {
        "task": "anef.outbox_send_due",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=30.0),
    },
    # The outage log (anef/outages.py): the storage's health check opens and closes outages.
    "outages-watch": {
        "task": "anef.outages_watch",
        "schedule": 60.0,
    },
    "record-scheduler-heartbeat": {
        "task": "anef.tasks.record_heartbeat",
        "schedule": env.float("BEAT_HEARTBEAT_SECONDS", default=60),
        "args": ["beat"],
    },
}
# Retention of the documents of decided dossiers (applications/retention.py, issue 8). These
# are policy settings of the operator under RGPD art. 5-1-e (storage limitation: personal data
# kept no longer than necessary), not figures from CESEDA, which sets no such period. Identity
# and supporting documents of a dossier whose decision or closure is final (card handed over,
# refusal, closure, withdrawal) are deleted this many days after that date; decisions and
# attestations are never deleted by this policy.
DOCUMENT_RETENTION_DAYS = env.int("DOCUMENT_RETENTION_DAYS", default=365)
# The person is told this many days before the deletion (same basis: an operator's policy, so
# that they can download a copy); a deletion never happens sooner than this after the warning.
DOCUMENT_RETENTION_WARNING_DAYS = env.int("DOCUMENT_RETENTION_WARNING_DAYS", default=30)
# Helpers' organisations are warned this many days before a mandate ends (accounts.mandates).
MANDATE_EXPIRY_WARNING_DAYS = env.int("MANDATE_EXPIRY_WARNING_DAYS", default=7)
# Outgoing messages (anef/outbox.py): a failed sending is tried again after
# OUTBOX_RETRY_BASE_SECONDS × 2^(attempts − 1), at most OUTBOX_RETRY_MAX_SECONDS apart, and given
# up after OUTBOX_MAX_ATTEMPTS attempts (with the defaults: 9 waits, about 8½ hours of trying).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=6 * 3600)
# The scheduler is reported stale past this many seconds without a heartbeat (5 × the 60 s
# heartbeat above): /healthz/scheduler answers 503, a WARNING is logged, /metrics shows the age.
HEARTBEAT_STALE_AFTER_SECONDS = env.int("HEARTBEAT_STALE_AFTER_SECONDS", default=300)
# Prometheus scrapes /metrics with `Authorization: Bearer <METRICS_TOKEN>`; empty: staff only.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Attestations (attestations/rules.py) ------------------------------------------------------
# Every duration is the law's unless a policy makes it more generous; never stricter
# (attestations.rules.Policy.from_settings refuses a stricter value).
ATTESTATION_POLICY = {
    # CESEDA R. 431-5 1°: the renewal is filed between the 120th and the 60th day before expiry
    # (these two keys and FILED_BEFORE_EXPIRY_COUNTS_AS_IN_TIME are also the window in which
    # a renewal may be filed at all: applications.rules.FilingPolicy).
    "RENEWAL_WINDOW_START_DAYS": 120,
    "RENEWAL_WINDOW_END_DAYS": 60,
    # CESEDA R. 431-15-1: the API is valid at most three months, renewed while no decision.
    "API_VALIDITY_MONTHS": 3,
    # Conseil d'État, 5 May 2026 (press release, shared/seeds/000_*.txt): the API must be in the
    # person's hands before the previous document expires: issued this many days ahead.
    "API_LEAD_DAYS": env.int("ATTESTATION_API_LEAD_DAYS", default=15),
    # CESEDA R. 431-15-1: a favourable decision gives an attestation pending the card (ADF);
    # we give it the API's length and renew it the same way until the card is handed over.
    "ADF_VALIDITY_MONTHS": 3,
    "ADF_LEAD_DAYS": env.int("ATTESTATION_ADF_LEAD_DAYS", default=15),
    # Policies more generous than R. 431-5 / R. 431-15-1 (DESIGN.md §3): off by default.
    "FILED_BEFORE_EXPIRY_COUNTS_AS_IN_TIME": env.bool(
        "ATTESTATION_FILED_BEFORE_EXPIRY_COUNTS", default=False
    ),
    "ISSUE_ON_FILING": env.bool("ATTESTATION_ISSUE_ON_FILING", default=False),
    # A renewal still incomplete this close to expiry is listed for agents as at risk.
    "AT_RISK_DAYS_BEFORE_EXPIRY": 30,
    # Continuity of public service (Conseil constitutionnel n° 79-105 DC, 25 July 1979; CESEDA
    # R. 431-2): a renewal filed within this many working days after an outage of the online
    # service that covered the last day of its filing window counts as filed in time
    # (applications.rules.renewal_filed_within_outage_grace; outages: anef.models.Outage).
    "OUTAGE_GRACE_WORKING_DAYS": env.int("ATTESTATION_OUTAGE_GRACE_WORKING_DAYS", default=3),
}

# Pause between two batches of the sweep, to spare a database under load (seconds).
# How long `/verify` answers for an attestation after its last day of validity (the ledger keeps
# every attestation; past this, a checker is told to ask the issuing prefecture). Five years:
# the limitation period of most claims a checker could have to justify (Code civil, art. 2224).
ATTESTATION_PUBLIC_CHECK_YEARS = env.int("ATTESTATION_PUBLIC_CHECK_YEARS", default=5)
ATTESTATION_SWEEP_PAUSE_SECONDS = env.float("ATTESTATION_SWEEP_PAUSE_SECONDS", default=0)
# The beat's sweep is split into this many tasks (dossier id modulo n), one per worker free.
ATTESTATION_SWEEP_SHARDS = env.int("ATTESTATION_SWEEP_SHARDS", default=1)

# Ed25519 keys signing the attestations' QR codes (attestations/signing.py). Production sets
# ATTESTATION_SIGNING_KEY (base64url of the 32-byte private key) and its id, the same for every
# process that signs (web, worker) and every one that verifies; older public keys stay published
# (ATTESTATION_RETIRED_PUBLIC_KEYS, JSON {id: base64url public key}) so that attestations signed
# before a rotation still verify. `manage.py signing_key generate` / `rotate` prints them.
ATTESTATION_SIGNING_KEY = env.str("ATTESTATION_SIGNING_KEY", default="")
ATTESTATION_SIGNING_KEY_ID = env.str("ATTESTATION_SIGNING_KEY_ID", default="dev-1")
# Empty means none, so that Compose can pass `${ATTESTATION_RETIRED_PUBLIC_KEYS:-}` through.
ATTESTATION_RETIRED_PUBLIC_KEYS = json.loads(
    env.str("ATTESTATION_RETIRED_PUBLIC_KEYS", default="") or "{}"
)
# Production: every process must be given the signing key. Without it the embedded default
# generates one under var/, which is right on one machine and wrong as soon as two processes do
# not share var/ (a worker signs with its key, the web server verifies with another: every QR
# code "does not match"). In production the system check anef.E001 stops `migrate` (and so the
# Compose stack) and signing refuses to generate a key. On by default when the site is served
# over HTTPS; docker-compose.yml sets it explicitly.
ANEF_PRODUCTION = env.bool("ANEF_PRODUCTION", default=SERVED_OVER_HTTPS)

# --- Contact centre (support/rules.py) ----------------------------------------------------------
# Deadlines count working time: these hours on these weekdays (0 = Monday), French public
# holidays excluded (anef.working_days.french_public_holidays); extra closed days as "YYYY-MM-DD".
SUPPORT_WORKING_HOURS = {
    "OPENS": "09:00",
    "CLOSES": "17:00",
    "WEEKDAYS": [0, 1, 2, 3, 4],
    "EXTRA_CLOSED_DAYS": [],
}
# First answer due within this many working days (issue 5: 2), resolution within this many.
SUPPORT_FIRST_RESPONSE_WORKING_DAYS = 2
SUPPORT_RESOLUTION_WORKING_DAYS = 10
# Public contact form: at most this many requests per client IP and per e-mail address within
# the window (Django's cache counts them), then a clear message and HTTP 429.
SUPPORT_CONTACT_RATE_LIMITS = {"PER_IP": 5, "PER_EMAIL": 3, "WINDOW_SECONDS": 3600}
# A screenshot sent with a request (PDF, JPEG or PNG, checked by its bytes).
SUPPORT_ATTACHMENT_MAX_BYTES = 10 * 1000 * 1000

# --- Substitution (substitution/rules.py) ------------------------------------------------------
# Issue 6 "Automatic offer" (DESIGN.md §3, letter of the associations: substitution proposed to
# anyone who cannot create an account, log in or complete an essential step): after this many
# failures of essential steps within this many days, the portal offers an appointment at once.
SUBSTITUTION_OFFER_THRESHOLD = 3  # issue 6: "default 3 in 7 days"
SUBSTITUTION_OFFER_WINDOW_DAYS = 7  # issue 6: "default 3 in 7 days"

# --- Audit log ----------------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False

# --- Portal -------------------------------------------------------------------------------------
# How to reach a human, shown on every page (DESIGN.md §5).
CONTACT_PHONE = env.str("CONTACT_PHONE", default="0 806 001 620")
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="contact@anef.localhost")
# The DSFR's terms reserve the State's brand block to official sites: off unless configured.
PORTAL_SHOW_STATE_BRAND = env.bool("PORTAL_SHOW_STATE_BRAND", default=False)
PORTAL_OPERATOR_NAME = env.str("PORTAL_OPERATOR_NAME", default="anef")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "filters": {"once_per_minute": {"()": "anef.cache.OncePerMinute"}},
    "loggers": {
        # WeasyPrint tells every step of every render at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Redis errors the cache ignored (anef/cache.py): one a minute, not one per operation.
        "anef.cache": {"filters": ["once_per_minute"]},
    },
}

# --- Text messages and helper sessions (issue 21) -----------------------------------------------
# django-sms backends: the console by default (`make run` needs nothing); the generic HTTP
# provider with SMS_BACKEND=anef.sms_backends.HttpSmsBackend, SMS_HTTP_URL and SMS_HTTP_TOKEN;
# "sms.backends.filebased.SmsBackend" with SMS_FILE_PATH to keep them in files.
SMS_BACKEND = env.str("SMS_BACKEND", default="sms.backends.console.SmsBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=10.0)
DEFAULT_FROM_SMS = env.str("DEFAULT_FROM_SMS", default="ANEF")
# The address that links in texts start with (anef/sms.py: at most 40 characters with the path).
SMS_SITE_URL = env.str("SMS_SITE_URL", default=SITE_URL)
# A helper acting for a person stops after this long without an action (accounts/views/acting.py).
ACTING_FOR_IDLE_SECONDS = env.int("ACTING_FOR_IDLE_SECONDS", default=15 * 60)
MIDDLEWARE = [*MIDDLEWARE, "accounts.views.acting.ActingForSessionMiddleware"]

# --- Substitution: waiting list for an earlier appointment (issue 21) -----------------------------
# Offers of a freed place not accepted in time expire and go to the next person; idempotent.
CELERY_BEAT_SCHEDULE["substitution-expire-slot-offers"] = {
    "task": "substitution.expire_slot_offers",
    "schedule": 300.0,
}
