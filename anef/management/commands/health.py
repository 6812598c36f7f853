"""`manage.py health ready|worker|beat`: the health checks as a command that exits non-zero on
failure, for container health checks (docker-compose.yml) where no HTTP server runs."""

import json

from django.core.management.base import BaseCommand, CommandError

from anef import health


class Command(BaseCommand):
    help = (
        "Check one part of the service and exit 1 if it is unhealthy: 'ready' (database, "
        "broker, storage), 'worker' (this machine's Celery worker answers a ping), 'beat' (the "
        "scheduler's heartbeat is recent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", choices=["ready", "worker", "beat"])
        parser.add_argument(
            "--timeout", type=float, default=5.0, help="Seconds to wait for a worker's answer."
        )
        parser.add_argument(
            "--destination",
            default=None,
            help="Worker node name to ping (default: celery@<this host>, Celery's default).",
        )

    def handle(self, *args, target, timeout, destination, **options):
        if target == "ready":
            healthy, body = health.run_checks()
        elif target == "beat":
            healthy, body = health.check_scheduler()
        else:
            result = health.check_worker(destination=destination, timeout=timeout)
            healthy, body = result.ok, {"ok": result.ok, "detail": result.detail}
        text = json.dumps(body, sort_keys=True)
        if not healthy:
            raise CommandError(f"{target} unhealthy: {text}")
        self.stdout.write(f"{target} ok: {text}")
