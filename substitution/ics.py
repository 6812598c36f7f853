"""The appointment as a calendar file (RFC 5545), for the person to add to their calendar.

Built with `icalendar`. The UID is derived from the appointment's id and the site's host, so a
second download of the same appointment updates the calendar's event instead of adding another;
a moved appointment is a new appointment, with a new UID. Times are written in Europe/Paris with
their TZID and the VTIMEZONE that defines it, so a phone abroad still shows the right hour.

E-mails carry no attachment (anef/outbox.py stores text only): they link to the download."""

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from substitution.models import Appointment
from substitution.selectors import appointment_address_lines, case_items_to_bring

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//anef//substitution appointment//EN"


def appointment_uid(appointment: Appointment) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "anef"
    return f"substitution-appointment-{appointment.pk}@{host}"


def appointment_location(appointment: Appointment) -> str:
    return ", ".join(appointment_address_lines(appointment))


def _description(appointment: Appointment, case_url: str) -> str:
    case = appointment.case
    lines = [
        _("You file your residence permit application at the prefecture."),
        _("Case reference: %(reference)s") % {"reference": case.reference},
        "",
        _("What to bring (originals and, if you can, copies):"),
    ]
    for item in case_items_to_bring(case):
        text = f"- {item.label}"
        if item.optional:
            text += " " + _("(if it applies to you)")
        lines.append(text)
    lines += [
        "",
        _("To see, cancel or change your appointment: %(url)s") % {"url": case_url},
        _("Contact centre: %(phone)s") % {"phone": settings.CONTACT_PHONE},
    ]
    return "\n".join(lines)


def appointment_ics(appointment: Appointment, *, language: str, case_url: str) -> bytes:
    """The calendar file of one appointment, its texts in `language`."""
    slot = appointment.slot
    with translation.override(language):
        summary = _("Appointment at the prefecture: %(prefecture)s") % {
            "prefecture": slot.desk.prefecture.name
        }
        description = _description(appointment, case_url)
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("dtstamp", appointment.booked_at)
    event.add("dtstart", timezone.localtime(slot.starts_at, PARIS))
    event.add("dtend", timezone.localtime(slot.ends_at, PARIS))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", appointment_location(appointment))
    event.add("url", case_url)
    event.add("status", "CONFIRMED")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
