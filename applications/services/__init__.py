"""Writes on dossiers. Every state change goes through one function here that locks the row,
checks the transition against `applications.workflow`, writes the timeline event and the audit
entry, in one transaction (CONVENTIONS.md). Views, API and tasks call these; they never assign a
status themselves.

One module per responsibility, every public name re-exported here (callers import
`applications.services`):

- `_core`: the timeline event and the status transition every change goes through;
- `permits`: residence permits held;
- `filing`: starting, filing and withdrawing a dossier;
- `documents`: adding and removing files;
- `carry_over`: a renewal prefilled with the last dossier's files still valid;
- `instruction`: corrections, completeness, error reports;
- `decisions`: favourable, refusal, closure, the card;
- `notification`: how and when a decision reached the person, and whether a refusal comes with
  an obligation to leave France (issue 18);
- `addresses`: foreigner number and change of address.

A test that replaces a helper patches it in the module that uses it (e.g.
`applications.services._core._attestations_refresh_on_commit`,
`applications.services.documents.file_written`), not here."""

from applications.services.addresses import address_change, foreigner_number_attach
from applications.services.carry_over import application_create_renewal, documents_carry_over
from applications.services.decisions import (
    application_close,
    application_decide_favourable,
    application_decide_unfavourable,
    application_record_card_available,
    application_record_card_handed_over,
)
from applications.services.documents import EVIDENCE_DOCUMENT_TYPE, document_add, document_remove
from applications.services.filing import (
    PERMIT_CONTINUING_KINDS,
    application_create,
    application_submit,
    application_withdraw,
)
from applications.services.instruction import (
    application_mark_complete,
    correction_answer,
    correction_request_create,
    error_report_accept,
    error_report_create,
    error_report_reject,
)
from applications.services.notification import (
    application_record_notification,
    application_record_obligation_to_leave,
)
from applications.services.permits import permit_declare

__all__ = [
    "EVIDENCE_DOCUMENT_TYPE",
    "PERMIT_CONTINUING_KINDS",
    "address_change",
    "application_close",
    "application_create",
    "application_create_renewal",
    "application_decide_favourable",
    "application_decide_unfavourable",
    "application_mark_complete",
    "application_record_card_available",
    "application_record_card_handed_over",
    "application_record_notification",
    "application_record_obligation_to_leave",
    "application_submit",
    "application_withdraw",
    "correction_answer",
    "correction_request_create",
    "document_add",
    "document_remove",
    "documents_carry_over",
    "error_report_accept",
    "error_report_create",
    "error_report_reject",
    "foreigner_number_attach",
    "permit_declare",
]
