"""The core: where files live, the secret key, the installed apps, middleware and templates,
the database, the cache, authentication and languages.

Part of `anef.settings` (see its docstring), which includes the parts in order."""

import os
import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

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
    # A helper's acting-for ends on leaving the person's space or after ACTING_FOR_IDLE_SECONDS
    # without an action (issue 21).
    "accounts.views.acting.ActingForSessionMiddleware",
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
            "BACKEND": "anef.cache.FileCache",
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
# A person is shown by name (allauth's messages and pages), never as « Name <address> »,
# which also read backwards in Arabic (walked 2026-12-04).
ACCOUNT_USER_DISPLAY = "accounts.display.user_display"
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
