"""Writes of the substitution app (being split by responsibility, issue 19): every public name
is re-exported here, so callers keep importing `substitution.services`."""

from substitution.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_confirmation_send,
    appointment_mark,
    appointment_reminders_send,
    case_close,
    case_mode_change,
    failure_record,
    offer_accept,
    open_case,
    queue_call_next,
    queue_ticket_issue,
    signup_refused,
    slots_generate,
)

__all__ = [
    "appointment_book",
    "appointment_cancel",
    "appointment_confirmation_send",
    "appointment_mark",
    "appointment_reminders_send",
    "case_close",
    "case_mode_change",
    "failure_record",
    "offer_accept",
    "open_case",
    "queue_call_next",
    "queue_ticket_issue",
    "signup_refused",
    "slots_generate",
]
