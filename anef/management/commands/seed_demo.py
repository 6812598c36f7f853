from django.conf import settings
from django.core.management.base import BaseCommand

from anef.demo import DEMO_PASSWORD, demo_data_seed


class Command(BaseCommand):
    help = "Create (or bring back) the demo accounts and reference data, and print the logins."

    def handle(self, *args, **options):
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
