"""The queue's rows (issue 19): read and rendered only for the rows whose kept HTML is missing.

Each row is rendered on its own from `_queue_row.html` with a plain template context (no
context processor: the row needs none), and kept by `anef.page_cache.kept_rows` under its
row's generation, the agent's own generation (« followed », « assigned to you »), the language
and the day. The page's other parts are rendered each time the page is.
"""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from accounts.models import ApplicantProfile
from applications.enums import ApplicationStatus
from applications.messages.selectors import unread_counts_for_agent
from applications.models import Application
from reference.enums import ProcedureKind
from reference.models import REFERENCE_LANGUAGES

QUEUE_PAGE_SIZE = 25
ROW_TEMPLATE = "applications/backoffice/_queue_row.html"

# Labels once per process (lazy: translated when shown), not `get_FOO_display` per row and field.
STATUS_LABELS = dict(ApplicationStatus.choices)
KIND_LABELS = dict(ProcedureKind.choices)

# The columns the queue shows, and nothing else: the dossier, person and profile rows are wide.
QUEUE_COLUMNS = (
    "reference",
    "kind",
    "status",
    "filed_at",
    "prefecture__name",
    "applicant__first_name",
    "applicant__last_name",
    "applicant__email",
    "applicant__applicant_profile__foreigner_number",
    "renews_permit__valid_until",
    *(f"ground__label_{language}" for language in REFERENCE_LANGUAGES),
    "assignment__agent__first_name",
    "assignment__agent__last_name",
    "assignment__agent__email",
)


def _profile_of(user) -> ApplicantProfile | None:
    try:
        return user.applicant_profile
    except ObjectDoesNotExist:
        return None


@dataclass(frozen=True)
class QueueRow:
    application: Application
    profile: ApplicantProfile | None
    # Messages of the person no agent has read yet (a posted message and a reading both bump
    # the row's generation, so a kept row never shows a stale count).
    unread: int = 0

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.application.status, self.application.status)

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.application.kind, self.application.kind)

    @property
    def assignee(self):
        """The agent in charge (loaded with the row by `select_related`), or None."""
        try:
            return self.application.assignment.agent
        except ObjectDoesNotExist:
            return None


@dataclass(frozen=True)
class ShownRow:
    """A row of the page: its dossier's id (the bulk form's) and its HTML."""

    pk: int
    markup: str

    @property
    def html(self) -> SafeString:
        return mark_safe(self.markup)  # noqa: S308 (rendered by our template, escaped there)


def queue_rows_rendered(queue: QuerySet, pks: list[int], *, viewer) -> dict[int, str]:
    """The HTML of the rows `pks` of `queue` (one query for all of them). A row moved out of the
    queue or deleted between the two reads is left out."""
    if not pks:
        return {}
    template = get_template(ROW_TEMPLATE).template
    unread = unread_counts_for_agent(viewer.prefecture_id, pks)
    rendered = {}
    for application in queue.only(*QUEUE_COLUMNS).filter(pk__in=pks):
        row = QueueRow(
            application, _profile_of(application.applicant), unread.get(application.pk, 0)
        )
        context = Context({"row": row, "viewer_pk": viewer.pk}, autoescape=True)
        rendered[application.pk] = str(template.render(context))
    return rendered
