"""Serving the site: static files and documents, e-mail, security headers and cookies, the
REST API and its schema.

Part of `anef.settings` (see its docstring), which includes the parts in order."""

import ipaddress
from pathlib import Path

from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF

from anef.settings_parts.base import BASE_DIR, SITE_URL, VAR_DIR, env

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

# Text messages (issue 21), through django-sms: the console by default (`make run` needs
# nothing); the generic HTTP provider with SMS_BACKEND=anef.sms_backends.HttpSmsBackend,
# SMS_HTTP_URL and SMS_HTTP_TOKEN; "sms.backends.filebased.SmsBackend" with SMS_FILE_PATH.
SMS_BACKEND = env.str("SMS_BACKEND", default="sms.backends.console.SmsBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=10.0)
DEFAULT_FROM_SMS = env.str("DEFAULT_FROM_SMS", default="ANEF")
# The address that links in texts start with: at most anef.sms.SMS_SITE_URL_MAX_LENGTH (16)
# characters when texts are really sent (system check anef.E006, anef/checks.py).
SMS_SITE_URL = env.str("SMS_SITE_URL", default=SITE_URL)

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
