"""The case timeline in plain words, for the person and for agents."""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from substitution.enums import CaseEventKind, CaseMode, CaseOrigin
from substitution.models import CaseEvent


def _when(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return ""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def case_event_text(event: CaseEvent) -> str:
    params = event.params or {}
    kind = event.kind
    if kind == CaseEventKind.OPENED:
        origin = dict(CaseOrigin.choices).get(params.get("origin"), "")
        return _("Case opened: %(origin)s.") % {"origin": origin}
    if kind == CaseEventKind.APPOINTMENT_BOOKED:
        return _("Appointment booked for %(when)s at %(desk)s.") % {
            "when": _when(params.get("starts_at", "")),
            "desk": params.get("desk", ""),
        }
    if kind == CaseEventKind.APPOINTMENT_CANCELLED:
        return _("Appointment of %(when)s cancelled.") % {"when": _when(params.get("starts_at"))}
    if kind == CaseEventKind.APPOINTMENT_ATTENDED:
        return _("You came to your appointment of %(when)s.") % {
            "when": _when(params.get("starts_at"))
        }
    if kind == CaseEventKind.APPOINTMENT_MISSED:
        return _("You did not come to your appointment of %(when)s. You can book another one.") % {
            "when": _when(params.get("starts_at"))
        }
    if kind == CaseEventKind.MODE_CHANGED:
        return _("Way of filing: %(mode)s.") % {
            "mode": dict(CaseMode.choices).get(params.get("mode"), "")
        }
    if kind == CaseEventKind.DEPOSIT_RECORDED:
        return _("Your application %(reference)s was recorded. You have a deposit receipt.") % {
            "reference": params.get("application", "")
        }
    if kind == CaseEventKind.CLOSED:
        return _("Case closed.")
    return str(event.get_kind_display())


def case_timeline(case) -> list[tuple[CaseEvent, str]]:
    return [(event, case_event_text(event)) for event in case.events.all()]
