"""Writes of the substitution app. Every change is one function here: it locks what it changes,
writes the case's timeline event and the audit entry in one transaction, and sends e-mails after
commit (CONVENTIONS.md).

One module per responsibility, every public name re-exported here (callers import
`substitution.services`):

- `_common`: cancelling a booked appointment under locks already held (cases and appointments);
- `cases`: opening a case, changing how the person files, closing it;
- `desk`: a desk's slots and a digital reception point's walk-in queue;
- `appointments`: booking, cancelling, marking, and the confirmation and reminder e-mails;
- `offers`: failures of an essential step recorded, and the appointment offered past them;
- `dossier`: an appointment booked from the dossier's page, one per dossier;
- `waitlist`: the waiting list for an earlier time, its offers, and the e-mails' cancel link.

A test that replaces a helper patches it in the module that uses it (e.g.
`substitution.services.offers.open_case` for `offer_accept`), not here; a caller that imports a
name from `substitution.services` when it runs (`support.impossibility`) is patched here."""

from substitution.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_confirmation_send,
    appointment_mark,
    appointment_reminders_send,
)
from substitution.services.cases import case_close, case_mode_change, open_case
from substitution.services.desk import queue_call_next, queue_ticket_issue, slots_generate
from substitution.services.dossier import dossier_appointment_book
from substitution.services.offers import failure_record, offer_accept, signup_refused
from substitution.services.waitlist import (
    appointment_cancel_by_link,
    slot_offer_accept,
    slot_offer_get,
    slot_offer_next,
    slot_offers_expire,
    waitlist_join,
    waitlist_leave,
)

__all__ = [
    "appointment_book",
    "appointment_cancel",
    "appointment_cancel_by_link",
    "appointment_confirmation_send",
    "appointment_mark",
    "appointment_reminders_send",
    "case_close",
    "case_mode_change",
    "dossier_appointment_book",
    "failure_record",
    "offer_accept",
    "open_case",
    "queue_call_next",
    "queue_ticket_issue",
    "signup_refused",
    "slot_offer_accept",
    "slot_offer_get",
    "slot_offer_next",
    "slot_offers_expire",
    "slots_generate",
    "waitlist_join",
    "waitlist_leave",
]
