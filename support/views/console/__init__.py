"""The contact-centre ticket console (/support/): queues with figures, the ticket page and its
actions, phone tickets and saved answers.

Every action is one POST calling one service (support.services); when it refuses, the reason is
shown and nothing changes. Every display of a person's record (identity, dossier statuses and
dates, never a document) is logged in PersonalDataAccess, which the person sees.

One module per page family, every view re-exported here (`support.urls_console` names
`console.<view>`):

- `queue`: the home page, queues and figures;
- `ticket`: the ticket page, its attachments, and the frame of its actions;
- `actions`: take, assign, reply, note, escalate, status, technical impossibility, password;
- `account_recovery`: recovery with four eyes, and the supervisors' queue;
- `phone`: a phone call recorded as a ticket;
- `answers`: saved answers."""

from support.views.console.account_recovery import (
    recoveries,
    recovery_approve,
    recovery_facts,
    recovery_refuse,
    recovery_request,
)
from support.views.console.actions import (
    account_password_reset,
    ticket_assign,
    ticket_confirm_technical_impossibility,
    ticket_escalate,
    ticket_note,
    ticket_reply,
    ticket_status,
    ticket_take,
)
from support.views.console.answers import saved_answer_edit, saved_answers
from support.views.console.phone import phone_ticket_new
from support.views.console.queue import QUEUE_COLUMNS, QUEUE_PAGE_SIZE, ConsoleRow, home
from support.views.console.ticket import ticket_attachment, ticket_detail

__all__ = [
    "QUEUE_COLUMNS",
    "QUEUE_PAGE_SIZE",
    "ConsoleRow",
    "account_password_reset",
    "home",
    "phone_ticket_new",
    "recoveries",
    "recovery_approve",
    "recovery_facts",
    "recovery_refuse",
    "recovery_request",
    "saved_answer_edit",
    "saved_answers",
    "ticket_assign",
    "ticket_attachment",
    "ticket_confirm_technical_impossibility",
    "ticket_detail",
    "ticket_escalate",
    "ticket_note",
    "ticket_reply",
    "ticket_status",
    "ticket_take",
]
