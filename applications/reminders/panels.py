"""The renewal reminder's banner on the dashboard (a provider of
`applications.hooks.portal_person_panels`, registered in `ApplicationsConfig.ready`): the
reminder due today for each card of the person, with its dates and « renew now ». Computed from
the rules on each view (the page cache keys pages by day, and filing bumps the person's pages),
so it goes the moment the person files. A helper sees it for the person they act for, within
their mandate's grounds; nobody else sees it (`reminders_visible_to`)."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from applications.reminders.selectors import PermitReminder, reminders_visible_to
from applications.reminders.services import renewal_url

PANEL = "renewal_reminders"


@dataclass(frozen=True)
class ReminderBanner:
    entry: PermitReminder
    url: str
    days_left: int

    @property
    def reminder(self):
        return self.entry.reminder

    @property
    def permit(self):
        return self.entry.permit

    @property
    def application(self):
        return self.entry.application


def banners(user, person, today: date | None = None) -> list[ReminderBanner]:
    today = today or timezone.localdate()
    return [
        ReminderBanner(entry, renewal_url(entry), entry.reminder.days_left(today))
        for entry in reminders_visible_to(user, person, today)
    ]


def renewal_reminder_panel(user, person) -> dict:
    return {"renewal_reminders": banners(user, person)}
