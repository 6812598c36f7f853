from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from anef.demo import DEMO_PASSWORD, demo_data_seed

CONFIRM_FLAG = "--i-know-this-is-not-production"


class Command(BaseCommand):
    help = (
        "Create (or bring back) the demo accounts and reference data, and print the logins. "
        f"Refuses to run unless DEBUG is on or {CONFIRM_FLAG} is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            CONFIRM_FLAG,
            action="store_true",
            dest="i_know_this_is_not_production",
            help="Run although DEBUG is off (`make run`, the embedded default, does so).",
        )

    def handle(self, *args, **options):
        # Issue 15: run in production, it recreated an administrator with the published demo
        # password. The embedded default runs with DEBUG off too, so `make run` says it is a
        # demo with the flag rather than turning DEBUG (tracebacks to the browser) on.
        if not (settings.DEBUG or options["i_know_this_is_not_production"]):
            raise CommandError(
                "seed_demo creates accounts with a published password and must never run in "
                f"production. DEBUG is off: if this really is a demo or a developer's machine, "
                f"run it again with {CONFIRM_FLAG}."
            )
        logins = demo_data_seed()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({len(logins)} accounts)."))
        self.stdout.write(
            f"Portal: {settings.SITE_URL}   password for every demo account: {DEMO_PASSWORD}"
        )
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email:<{width}}  {login.role} — {login.description}")
        self.stdout.write(
            "Scenario 5 is a person who cannot create an account: by design it has no login."
        )
