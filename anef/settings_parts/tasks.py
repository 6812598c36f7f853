"""Celery: the broker, the workers' behaviour and beat's schedule.

Part of `anef.settings` (see its docstring), which includes the parts in order."""

from celery.schedules import crontab

from anef.settings_parts.base import REDIS_URL, TIME_ZONE, VAR_DIR, env

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

# Offers of a freed appointment not accepted in time expire and go to the next person on the
# waiting list (issue 21); idempotent.
CELERY_BEAT_SCHEDULE["substitution-expire-slot-offers"] = {
    "task": "substitution.expire_slot_offers",
    "schedule": 300.0,
}

# The automatic inquiry (issue 21): a dossier 30 days past the upper bound shown to its applicant
# gets a ticket to its prefecture, once (support.inquiries; a database constraint); daily.
CELERY_BEAT_SCHEDULE["support-open-dossier-inquiries"] = {
    "task": "support.open_dossier_inquiries",
    "schedule": crontab(hour=6, minute=45),
}
