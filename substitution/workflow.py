"""The substitution app's tables for the workflow engine (`anef.workflow`): cases, appointments
and walk-in numbers. Every status change of these goes through `substitution.services` (and
`substitution.deposits`), which move them with `anef.workflow.transition` against these tables:
one transaction each, with the timeline event and the audit entry (issue 19).

Appointments have no timeline of their own: their events are told on their case's timeline,
which is what the person reads. The audit names are those the services wrote before the engine,
so the audit log reads the same across the change.
"""

from django.utils.translation import gettext_lazy as _

from anef import generations
from anef.workflow import Workflow, move
from substitution.enums import AppointmentStatus as A
from substitution.enums import CaseEventKind as E
from substitution.enums import CaseStatus as C
from substitution.enums import QueueTicketEventKind as Q
from substitution.enums import QueueTicketStatus as T

CASE = Workflow(
    name="substitution_case",
    statuses=C,
    timeline="substitution.CaseEvent",
    subject="case",
    audit_prefix="substitution_case_",
    refused=_("This is not possible while the case is « %(status)s »."),
    on_change=lambda case: generations.bump_person(case.person_id),
    actions={
        # Booking again moves the appointment: the case stays « appointment booked ».
        "appointment": move(
            {C.OPEN, C.APPOINTMENT_BOOKED}, C.APPOINTMENT_BOOKED, events=[E.APPOINTMENT_BOOKED]
        ),
        # The appointment's own event (cancelled, missed) tells the person; the case is open
        # again for a new booking.
        "appointment_cancelled": move({C.APPOINTMENT_BOOKED}, C.OPEN),
        "appointment_missed": move({C.APPOINTMENT_BOOKED}, C.OPEN),
        "deposit_file": move(
            {C.OPEN, C.APPOINTMENT_BOOKED},
            C.DEPOSIT_RECEIVED,
            events=[E.DEPOSIT_RECORDED],
            audit="substitution_deposit_file",
        ),
        "close": move(
            {C.OPEN, C.APPOINTMENT_BOOKED, C.DEPOSIT_RECEIVED}, C.CLOSED, events=[E.CLOSED]
        ),
    },
)

APPOINTMENT = Workflow(
    name="substitution_appointment",
    statuses=A,
    timeline="substitution.CaseEvent",
    subject="case",
    subject_of="case_id",
    audit_prefix="substitution_appointment_",
    refused=_("This is not possible while the appointment is « %(status)s »."),
    on_change=lambda appointment: generations.bump_person(appointment.case.person_id),
    actions={
        "cancel": move({A.BOOKED}, A.CANCELLED, events=[E.APPOINTMENT_CANCELLED]),
        "mark_attended": move({A.BOOKED}, A.ATTENDED, events=[E.APPOINTMENT_ATTENDED]),
        "mark_no_show": move({A.BOOKED}, A.NO_SHOW, events=[E.APPOINTMENT_MISSED]),
    },
)

QUEUE_TICKET = Workflow(
    name="substitution_queue_ticket",
    statuses=T,
    timeline="substitution.QueueTicketEvent",
    subject="ticket",
    audit_prefix="substitution_queue_",
    refused=_("This is not possible while the number is « %(status)s »."),
    actions={
        "call": move({T.WAITING}, T.CALLED, events=[Q.CALLED]),
        # The next number called: the visitor called before has been received.
        "serve": move({T.CALLED}, T.SERVED, events=[Q.SERVED]),
    },
)
