"""The operator's policies and the domain's settings: retention, the outbox, the heartbeat,
attestations and their signing keys, the contact centre, substitution, the portal, logging.

Part of `anef.settings` (see its docstring), which includes the parts in order."""

import json

from anef.settings_parts.base import env
from anef.settings_parts.web import SERVED_OVER_HTTPS

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
# The scheduler is reported stale past this many seconds without a heartbeat (5 × beat's 60 s
# heartbeat, settings_parts/tasks.py): /healthz/scheduler answers 503, a WARNING is logged,
# /metrics shows the age.
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
# The links without an account (cancel an appointment, take an earlier place: their key is the
# only door): a client that tried this many unknown keys within the window is answered 429 on
# those pages until the window ends (substitution/link_limits.py). Only refused keys count, so
# that people behind one shared address (a mobile operator's NAT) who open their own links are
# never stopped.
SUBSTITUTION_LINK_REFUSAL_LIMITS = {"PER_IP": 20, "WINDOW_SECONDS": 3600}

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

# A helper acting for a person stops after this long without an action (accounts/views/acting.py).
ACTING_FOR_IDLE_SECONDS = env.int("ACTING_FOR_IDLE_SECONDS", default=15 * 60)
