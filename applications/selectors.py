"""Reads on dossiers and reference data, already scoped to who asks (CONVENTIONS.md): another
person's or another prefecture's dossier is simply not found."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.mandates import mandate_list_active_for_helper
from accounts.permissions import can_use_back_office, can_use_portal, is_applicant, is_helper
from applications.enums import ApplicationStatus, ErrorReportStatus
from applications.models import (
    Annotation,
    Application,
    Document,
    ErrorReport,
    Follow,
    ResidencePermit,
)
from applications.queue_listing import QueueListing
from applications.workflow import OPEN_STATES
from reference.enums import ProcedureKind
from reference.models import DocumentType, Ground, GroundRequirement, Prefecture
from reference.rules import departement_code_for_postal_code, document_reusable
from reference.selectors import grounds_offered


def ground_list_offered() -> QuerySet[Ground]:
    """Grounds and procedures offered to applicants, each with its checklist."""
    return grounds_offered().prefetch_related(
        Prefetch(
            "requirements",
            queryset=GroundRequirement.objects.select_related("document_type"),
        )
    )


def prefecture_for_postal_code(postal_code: str) -> Prefecture | None:
    """The prefecture competent for an address, or None when we have no prefecture there."""
    try:
        departement = departement_code_for_postal_code(postal_code)
    except ValueError:
        return None
    return Prefecture.objects.filter(departement_code=departement).first()


# --- Scoping ------------------------------------------------------------------------------------


def application_list_visible_to(user) -> QuerySet[Application]:
    """Applicants see their own dossiers; agents their prefecture's; helpers the dossiers of
    the people whose mandate is in force today and covers the dossier's ground (issue 6);
    everyone else nothing. A mandate ended or revoked hides the dossiers at once (404)."""
    queryset = Application.objects.select_related("ground", "prefecture", "applicant")
    if is_applicant(user):
        return queryset.filter(applicant=user)
    if can_use_back_office(user):
        return queryset.filter(prefecture_id=user.prefecture_id)
    if is_helper(user):
        in_force = mandate_list_active_for_helper(user).filter(person=OuterRef("applicant"))
        return queryset.filter(
            Exists(in_force.filter(Q(all_grounds=True) | Q(grounds=OuterRef("ground"))))
        )
    return queryset.none()


def document_list_visible_to(user) -> QuerySet[Document]:
    """Documents follow their dossier's visibility; contact-centre staff never see any."""
    if not (can_use_portal(user) or can_use_back_office(user)):
        return Document.objects.none()
    return Document.objects.filter(
        application__in=application_list_visible_to(user).values("pk")
    ).select_related("document_type", "application")


def permit_list_held_by(holder) -> QuerySet[ResidencePermit]:
    """The cards a person holds or held, newest first (callers have already scoped `holder`)."""
    return ResidencePermit.objects.filter(holder=holder).select_related("ground")


# --- Checklist ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    requirement: GroundRequirement
    documents: list[Document]

    @property
    def satisfied(self) -> bool:
        return bool(self.documents) or not self.requirement.mandatory

    @property
    def copied(self) -> bool:
        """A file of this piece was copied from the person's last dossier (issue 16)."""
        return any(document.copied_from_id is not None for document in self.documents)


def application_checklist(application: Application) -> list[ChecklistItem]:
    """Each piece asked for this ground and procedure, with the files given for it."""
    requirements = [
        requirement
        for requirement in application.ground.requirements.select_related("document_type")
        if requirement.applies_to(application.kind)
    ]
    by_type: dict[int, list[Document]] = {}
    for document in application.documents.filter(error_report__isnull=True).order_by("uploaded_at"):
        by_type.setdefault(document.document_type_id, []).append(document)
    return [
        ChecklistItem(requirement, by_type.get(requirement.document_type_id, []))
        for requirement in requirements
    ]


# (document type id, uploaded at) of each of a dossier's files, by dossier id.
DocumentsGiven = dict[int, list[tuple[int, datetime]]]


def documents_given(applications: Iterable[Application]) -> DocumentsGiven:
    """(document type id, uploaded at) of each dossier's files, in one query (the files sent with
    an error report are not pieces of the checklist)."""
    given: DocumentsGiven = defaultdict(list)
    for application_id, document_type_id, uploaded_at in Document.objects.filter(
        application__in=list(applications), error_report__isnull=True
    ).values_list("application_id", "document_type_id", "uploaded_at"):
        given[application_id].append((document_type_id, uploaded_at))
    return given


def missing_documents_by_application(
    applications: Iterable[Application], given: DocumentsGiven | None = None
) -> dict[int, list[DocumentType]]:
    """The pieces of each dossier's checklist (its ground's requirements that apply to its
    procedure) still without any file, mandatory ones only: two queries however many dossiers
    (one when the caller already has `documents_given`)."""
    applications = list(applications)
    if not applications:
        return {}
    given = documents_given(applications) if given is None else given
    requirements: dict[int, list[GroundRequirement]] = defaultdict(list)
    for requirement in GroundRequirement.objects.filter(
        ground_id__in={application.ground_id for application in applications}
    ).select_related("document_type"):
        requirements[requirement.ground_id].append(requirement)
    missing = {}
    for application in applications:
        types = {document_type_id for document_type_id, _at in given.get(application.pk, [])}
        items = [
            ChecklistItem(requirement, [True] if requirement.document_type_id in types else [])
            for requirement in requirements[application.ground_id]
            if requirement.applies_to(application.kind)
        ]
        missing[application.pk] = [
            item.requirement.document_type for item in items if not item.satisfied
        ]
    return missing


def application_missing_documents(application: Application) -> list[DocumentType]:
    """The pieces of the dossier's checklist still without any file (`ChecklistItem.satisfied`):
    `missing_documents_by_application` for one dossier."""
    return missing_documents_by_application([application])[application.pk]


def application_other_open(application: Application) -> QuerySet[Application]:
    """The person's other open dossiers, which an agent sees before any decision."""
    return (
        Application.objects.filter(applicant_id=application.applicant_id, status__in=OPEN_STATES)
        .exclude(pk=application.pk)
        .select_related("ground", "prefecture")
    )


# --- Back-office queue --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    ground: str = ""
    kind: str = ""
    filed_from: date | None = None
    filed_until: date | None = None
    search: str = ""
    order: str = "priority"  # renewals first, then permits expiring soonest
    # The workbench's lists (issue 20): "mine", "unassigned", "followed", or every dossier.
    scope: str = ""


QUEUE_SCOPES = ("mine", "unassigned", "followed")


# The dossier's fields that decide whether the queue lists it and where (its filters but the
# status, which has a generation of its own, and its order): a change of one of them moves the
# prefecture's whole queue on (anef/generations.py, `LISTING`), the other columns only the rows
# that show them. Keep in step with `backoffice_queue` below.
QUEUE_LISTING_FIELDS = frozenset(
    {
        "prefecture",
        "prefecture_id",
        "ground",
        "ground_id",
        "kind",
        "filed_at",
        "renews_permit",
        "renews_permit_id",
        "applicant",
        "applicant_id",
    }
)


def backoffice_queue(agent, filters: QueueFilters) -> QuerySet[Application]:
    """The agent's prefecture's filed dossiers, filtered; one query whatever the page size.

    The open error reports are counted by a subquery per row shown, not by a GROUP BY over the
    seven tables joined (which PostgreSQL spent as long planning as running, issue 8 "Load");
    the paginator's COUNT leaves that subquery and the joins out."""
    queryset = application_list_visible_to(agent).exclude(status=ApplicationStatus.DRAFT)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.ground:
        queryset = queryset.filter(ground__code=filters.ground)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.filed_from:
        queryset = queryset.filter(filed_at__date__gte=filters.filed_from)
    if filters.filed_until:
        queryset = queryset.filter(filed_at__date__lte=filters.filed_until)
    followed = Follow.objects.filter(application=OuterRef("pk"), agent_id=agent.pk)
    if filters.scope == "mine":
        queryset = queryset.filter(assignment__agent_id=agent.pk)
    elif filters.scope == "unassigned":
        queryset = queryset.filter(assignment__isnull=True)
    elif filters.scope == "followed":
        queryset = queryset.filter(Exists(followed))
    if filters.search:
        term = filters.search.strip()
        # The agents' notes too: `UPPER(body) LIKE`, served on PostgreSQL by the trigram index
        # `annotation_body_upper_trgm` (applications/workbench/models.py).
        noted = Annotation.objects.filter(application=OuterRef("pk"), body__icontains=term)
        queryset = queryset.filter(
            Q(reference__iexact=term)
            | Q(applicant__last_name__icontains=term)
            | Q(applicant__first_name__icontains=term)
            | Q(applicant__email__iexact=term)
            | Q(applicant__applicant_profile__foreigner_number=term)
            | Exists(noted)
        )
    open_reports = (
        ErrorReport.objects.filter(application=OuterRef("pk"), status=ErrorReportStatus.OPEN)
        .order_by()
        .values("application")
        .annotate(count=Count("pk"))
        .values("count")
    )
    queryset = queryset.select_related(
        "renews_permit", "applicant__applicant_profile", "assignment__agent"
    ).annotate(
        open_error_reports=Coalesce(Subquery(open_reports, output_field=IntegerField()), 0),
        followed_by_me=Exists(followed),
        is_renewal=Case(
            When(kind=ProcedureKind.RENEWAL, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    )
    if filters.order == "filed":
        return queryset.order_by("filed_at", "pk")
    # NULLS LAST spelled out (PostgreSQL's default for ASC, not SQLite's): the dossiers naming a
    # permit come before the others on every database (`QueueListing` reads them apart).
    return queryset.order_by(
        "is_renewal", F("renews_permit__valid_until").asc(nulls_last=True), "filed_at", "pk"
    )


def backoffice_queue_listing(agent, filters: QueueFilters) -> QueueListing:
    """The queue's rows as (dossier id, applicant id) for the paginator, in the queue's order,
    read without the row columns and without sorting the whole prefecture (issue 20,
    `applications.queue_listing`)."""
    return QueueListing(backoffice_queue(agent, filters), split=filters.order != "filed")


def person_prefecture_ids(user_id: int) -> list[int]:
    """The prefectures holding one of this person's dossiers (registered with anef.generations
    for `accounts.mandates`, which sits below the dossiers)."""
    return list(
        Application.objects.filter(applicant_id=user_id)
        .order_by()
        .values_list("prefecture_id", flat=True)
        .distinct()
    )


def title_renewed_online(application: Application) -> bool:
    """Whether the title an application renews is on the list of titles renewed online
    (R. 431-5 1°): the ground written on the card held, or else the ground asked for."""
    permit = application.renews_permit
    ground = (permit.ground if permit is not None and permit.ground_id else None) or (
        application.ground
    )
    return ground.renewed_online


# --- A renewal prefilled from the last dossier (issue 16) -----------------------------------------


def application_last_with_files(applicant, *, excluding: Application) -> Application | None:
    """The person's most recent other dossier that still has files stored (the retention policy
    empties decided dossiers' files in time). Only `applicant`'s own: never another person's."""
    stored = Document.objects.filter(
        application=OuterRef("pk"), purged_at__isnull=True, error_report__isnull=True
    ).exclude(file="")
    return (
        Application.objects.filter(applicant=applicant)
        .exclude(pk=excluding.pk)
        .filter(Exists(stored))
        .order_by("-created_at", "-pk")
        .first()
    )


def documents_reusable_for(
    application: Application, source: Application, today: date
) -> list[Document]:
    """The files of `source` that `application` may take over on `today`: pieces of its own
    checklist it has no file for yet, of a type reused across dossiers and still valid by that
    type's rules (`reference.rules.document_reusable`), each file still stored. Both dossiers
    must be the same person's: otherwise nothing."""
    if source.applicant_id != application.applicant_id or source.pk == application.pk:
        return []
    wanted = {
        requirement.document_type_id
        for requirement in application.ground.requirements.all()
        if requirement.applies_to(application.kind)
    }
    present = set(
        application.documents.filter(error_report__isnull=True).values_list(
            "document_type_id", flat=True
        )
    )
    candidates = (
        source.documents.filter(
            document_type_id__in=wanted - present,
            purged_at__isnull=True,
            error_report__isnull=True,
            document_type__reusable=True,
        )
        .exclude(file="")
        .select_related("document_type")
        .order_by("document_type__code", "uploaded_at", "pk")
    )
    return [
        document
        for document in candidates
        if document_reusable(
            reusable=document.document_type.reusable,
            validity_months=document.document_type.validity_months,
            given_on=document.given_on,
            today=today,
        )
    ]
