"""REST endpoints on dossiers, for applicants (`/api/v1/...`) and prefecture agents
(`/api/v1/agent/...`).

Same two layers as the pages (CONVENTIONS.md): the role is checked by `HasAccess`, and every
object is looked up in a queryset from `applications.selectors`, so another person's or another
prefecture's dossier, document or report is a 404, as if it did not exist. Every write is one
call to `applications.services`; its refusals (`DomainError`, `TransitionNotAllowed`)
become JSON errors in `anef.api_errors`.

One module per resource, every public name re-exported here (`applications.api.urls` and other
apps import `applications.api.views`):

- `_common`: role checks, `on_behalf_of`, documented errors, scoped look-ups (`_get`);
- `applications`: the catalogue of grounds, the applicant's dossiers, their actions, timeline;
- `documents`: files of a dossier, their removal and download;
- `error_reports`: the person's error reports and the agent's answers;
- `profiles`: permits held, change of address, the foreigner number;
- `agents`: the agent's queue, a dossier, the instruction and decision steps;
- `workbench`: the agent's lists (mine, unassigned, followed), a dossier's notes, assigning.
"""

from applications.api.views._common import (
    AGENT,
    APPLICANT,
    CATALOGUE,
    ON_BEHALF_OF,
    PAGE_NOT_FOUND,
    REFERENCE,
    BackOfficeAccess,
    DocumentAccess,
    JsonAPIView,
    JsonGenericAPIView,
    PortalAccess,
    can_read_documents,
    errors,
    page_errors,
)
from applications.api.views.agents import (
    AgentActionView,
    AgentApplicationDetailView,
    AgentQueueView,
    CardAvailableView,
    CardHandedOverView,
    CloseView,
    DecideFavourableView,
    DecideUnfavourableView,
    MarkCompleteView,
    RequestCorrectionView,
)
from applications.api.views.applications import (
    ApplicantActionView,
    ApplicationDetailView,
    ApplicationEventsView,
    ApplicationListView,
    ApplicationSubmitView,
    ApplicationWithdrawView,
    CorrectionAnswerView,
    GroundListView,
)
from applications.api.views.documents import (
    ApplicationDocumentsView,
    DocumentDetailView,
    DocumentFileView,
    IgnoreAcceptHeader,
)
from applications.api.views.error_reports import (
    ApplicationErrorReportsView,
    ErrorReportAcceptView,
    ErrorReportAnswerView,
    ErrorReportRejectView,
)
from applications.api.views.profiles import (
    AddressChangeView,
    ForeignerNumberView,
    PermitListView,
)
from applications.api.views.workbench import (
    ApplicationAssignView,
    ApplicationNotesView,
    WorkbenchFollowedView,
    WorkbenchMineView,
    WorkbenchUnassignedView,
)

__all__ = [
    "AGENT",
    "APPLICANT",
    "CATALOGUE",
    "ON_BEHALF_OF",
    "PAGE_NOT_FOUND",
    "REFERENCE",
    "AddressChangeView",
    "AgentActionView",
    "AgentApplicationDetailView",
    "AgentQueueView",
    "ApplicantActionView",
    "ApplicationAssignView",
    "ApplicationDetailView",
    "ApplicationDocumentsView",
    "ApplicationErrorReportsView",
    "ApplicationEventsView",
    "ApplicationListView",
    "ApplicationNotesView",
    "ApplicationSubmitView",
    "ApplicationWithdrawView",
    "BackOfficeAccess",
    "CardAvailableView",
    "CardHandedOverView",
    "CloseView",
    "CorrectionAnswerView",
    "DecideFavourableView",
    "DecideUnfavourableView",
    "DocumentAccess",
    "DocumentDetailView",
    "DocumentFileView",
    "ErrorReportAcceptView",
    "ErrorReportAnswerView",
    "ErrorReportRejectView",
    "ForeignerNumberView",
    "GroundListView",
    "IgnoreAcceptHeader",
    "JsonAPIView",
    "JsonGenericAPIView",
    "MarkCompleteView",
    "PermitListView",
    "PortalAccess",
    "RequestCorrectionView",
    "WorkbenchFollowedView",
    "WorkbenchMineView",
    "WorkbenchUnassignedView",
    "can_read_documents",
    "errors",
    "page_errors",
]
