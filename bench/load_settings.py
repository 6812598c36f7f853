"""Settings of the load bench (bench/load.py): the project's own, with four changes only, for
the bench process and the gunicorn it starts. Not for any other use.

- `ROOT_URLCONF`: the portal's URLs plus the bare view that serves as the ceiling
  (bench/load_urls.py);
- the verification rate limits raised so far that one client address (the load generator, on
  loopback) never meets them; they still count every request in the cache, as in production;
- `STAFF_MFA_REQUIRED` off: the demo staff have no authenticator. In production the middleware
  checks once per session, then trusts a session flag: no query per request either way;
- no message leaves the process: Celery's broker is kombu's in-memory transport, e-mails go
  nowhere (the set-up's services send them; nobody must receive them).
"""

from anef.settings import *  # noqa: F403
from anef.settings import REST_FRAMEWORK

ROOT_URLCONF = "bench.load_urls"

# Per second, so that the throttle's history (one timestamp per request in the window) stays as
# short as in production (60 per minute), instead of holding a minute of load.
LOAD_BENCH_RATE = "100000/s"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(
        REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], LOAD_BENCH_RATE
    ),
}

STAFF_MFA_REQUIRED = False

CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
