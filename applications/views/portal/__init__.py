"""The applicant portal (applicants, and helpers acting under a mandate): dashboard, guided new
application, dossier page, declared permits.

Dossiers are read only through `application_list_visible_to(request.user)`, so another person's
dossier is a 404. Every change calls one service of `applications.services`; its refusal
(`DomainError`) is shown to the person as it is, in plain language.

One module per page family, every view re-exported here (`applications.urls_portal` names
`portal.<view>`):

- `_common`: the templates' folder, `applicant_only`, `safe_next_url`, a refused step's message;
- `dashboard`: the person's space;
- `new`: starting a dossier, guided (ground, procedure, card held);
- `dossier`: the dossier page, its files, submitting, withdrawing, corrections, error reports;
- `permits`: the cards held, and declaring one."""

from applications.views.portal._common import TEMPLATES, applicant_only, safe_next_url
from applications.views.portal.dashboard import home
from applications.views.portal.dossier import (
    application_detail,
    application_submit_view,
    application_withdraw_view,
    correction_answer_view,
    document_delete,
    document_upload,
    error_report_view,
)
from applications.views.portal.new import (
    application_new,
    application_new_change_of_status,
    application_new_procedure,
    application_new_renewal,
)
from applications.views.portal.permits import permit_list, permit_new

__all__ = [
    "TEMPLATES",
    "applicant_only",
    "application_detail",
    "application_new",
    "application_new_change_of_status",
    "application_new_procedure",
    "application_new_renewal",
    "application_submit_view",
    "application_withdraw_view",
    "correction_answer_view",
    "document_delete",
    "document_upload",
    "error_report_view",
    "home",
    "permit_list",
    "permit_new",
    "safe_next_url",
]
