"""REST endpoints on dossiers, for applicants (`/api/v1/...`) and prefecture agents
(`/api/v1/agent/...`).

Same two layers as the pages (CONVENTIONS.md): the role is checked by `HasAccess`, and every
object is looked up in a queryset from `applications.selectors`, so another person's or another
prefecture's dossier, document or report is a 404, as if it did not exist. Every write is one
call to `applications.services`; its refusals (`DomainError`, `TransitionNotAllowed`)
become JSON errors in `anef.api_errors`.
"""

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from accounts.mandates import mandate_active_for, mandate_covers
from accounts.models import ApplicantProfile
from accounts.permissions import HasAccess, can_use_back_office, can_use_portal, is_applicant
from accounts.selectors import applicant_profile_get
from anef import uploads
from anef.api_parsers import DepthLimitedJSONParser as JSONParser
from anef.errors import DomainError
from applications import services
from applications.api import serializers as s
from applications.models import Application, CorrectionRequest, ErrorReport, ResidencePermit
from applications.selectors import (
    QueueFilters,
    application_list_visible_to,
    backoffice_queue,
    document_list_visible_to,
    ground_list_offered,
    permit_list_held_by,
)
from applications.timeline import timeline_entries
from support.enums import PersonalDataScope
from support.selectors import recovery_hold_message, recovery_hold_until
from support.services import personal_data_access_record


def can_read_documents(user) -> bool:
    """Applicants read their own files and agents their prefecture's (the selector scopes)."""
    return can_use_portal(user) or can_use_back_office(user)


PortalAccess = HasAccess.for_check(can_use_portal)
BackOfficeAccess = HasAccess.for_check(can_use_back_office)
DocumentAccess = HasAccess.for_check(can_read_documents)


ON_BEHALF_OF = OpenApiParameter(
    "on_behalf_of",
    OpenApiTypes.INT,
    description="Helpers only: the id of the person they act for, under a mandate in force "
    "(in the query string, or in the body of a POST).",
)


def _subject(request: Request, ground=None):
    """Whom a person-level request is about (issue 6): the applicant themselves, or for a
    helper the person named by `on_behalf_of`, whose mandate must be in force today (and cover
    `ground` when one is given); anyone else's is a 404, as in the portal."""
    if is_applicant(request.user):
        return request.user
    raw = request.data.get("on_behalf_of") if request.method == "POST" else None
    raw = raw if raw not in (None, "") else request.query_params.get("on_behalf_of")
    if raw in (None, ""):
        raise DomainError(
            "on_behalf_of_required",
            _("Say for whom you act: give the id of the person in `on_behalf_of`."),
        )
    try:
        person_id = int(raw)
    except (TypeError, ValueError):
        raise NotFound(_("No person with this id gave you a mandate in force.")) from None
    mandate = mandate_active_for(request.user, person_id)
    if mandate is None or (ground is not None and not mandate_covers(mandate, ground.pk)):
        raise NotFound(_("No person with this id gave you a mandate in force."))
    return mandate.person


APPLICANT = "applicant"
AGENT = "agent"
CATALOGUE = "catalogue"

_ERROR_DESCRIPTIONS = {
    400: "Invalid input, or refused by the rules (see `code` and `details`).",
    401: "Not signed in, or the token is not valid.",
    403: "This account's role may not use this endpoint.",
    404: "Not found, or not visible to this account.",
    409: "Duplicate, or the action is not possible in the application's current status.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {
        code: OpenApiResponse(s.ErrorSerializer, description=_ERROR_DESCRIPTIONS[code])
        for code in codes
    }


# DRF's page-number pagination answers 404 when `page` is not a number or is past the last page.
PAGE_NOT_FOUND = "No such page (`page` is not a number, or is past the last page)."


def page_errors(*codes: int, not_found: str = PAGE_NOT_FOUND) -> dict[int, OpenApiResponse]:
    """The errors of a paginated list: `codes`, and the 404 of a page that does not exist."""
    return {**errors(*codes), 404: OpenApiResponse(s.ErrorSerializer, description=not_found)}


REFERENCE = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="Application reference."
)


def _input(serializer_class: type[Serializer], request: Request) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _get(queryset: QuerySet, message: str, **lookup):
    """The object in the scoped queryset, or a 404 that says nothing about anyone else's. No
    identifier holds a NUL character, which PostgreSQL refuses in a query (a 500 found by
    fuzzing the API): not found either."""
    if any(isinstance(value, str) and "\x00" in value for value in lookup.values()):
        raise NotFound(message)
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(message) from None


def _detail_queryset(user) -> QuerySet[Application]:
    return (
        application_list_visible_to(user)
        .select_related("renews_permit__ground", "decision_reason")
        .prefetch_related(
            Prefetch(
                "correction_requests",
                queryset=CorrectionRequest.objects.prefetch_related("document_types"),
            )
        )
    )


def _application(user, reference: str, *, detailed: bool = False) -> Application:
    queryset = _detail_queryset(user) if detailed else application_list_visible_to(user)
    return _get(queryset, _("No application with this reference."), reference=reference)


class JsonAPIView(APIView):
    parser_classes = [JSONParser]


class JsonGenericAPIView(GenericAPIView):
    parser_classes = [JSONParser]


# --- Public catalogue ---------------------------------------------------------------------------


class GroundListView(JsonAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=[CATALOGUE],
        summary="Grounds of stay offered, with their rights and checklists",
        responses={200: s.GroundSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(s.GroundSerializer(ground_list_offered(), many=True).data)


# --- Applicant: dossiers ------------------------------------------------------------------------


class ApplicationListView(JsonGenericAPIView):
    permission_classes = [PortalAccess]
    serializer_class = s.ApplicationCreateSerializer  # the input (browsable API's form)

    def get_queryset(self) -> QuerySet[Application]:
        return application_list_visible_to(self.request.user)

    @extend_schema(
        tags=[APPLICANT],
        summary="My applications",
        responses={200: s.ApplicationSummarySerializer(many=True), **page_errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ApplicationSummarySerializer(page, many=True).data)

    @extend_schema(
        tags=[APPLICANT],
        summary="Start an application",
        description="Any number of applications may be open at once; only an exact duplicate "
        "(same ground and procedure, still open) is refused with `409 duplicate`. A helper "
        "names the person in `on_behalf_of`; the mandate must cover the ground.",
        parameters=[ON_BEHALF_OF],
        request=s.ApplicationCreateSerializer,
        # 404: a helper's `on_behalf_of` names no one whose mandate in force covers the ground.
        responses={201: s.ApplicationDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        subject = _subject(request)
        serializer = s.ApplicationCreateSerializer(
            data=request.data, context={"request": request, "subject": subject}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = services.application_create(
            applicant=_subject(request, ground=data["ground"]),
            ground=data["ground"],
            kind=data["kind"],
            renews_permit=data.get("renews_permit"),
            requested_card=data["requested_card"],
            actor=request.user,
        )
        application = _application(request.user, created.reference, detailed=True)
        return Response(
            s.ApplicationDetailSerializer(application, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
            headers={
                "Location": reverse(
                    "api:application-detail", kwargs={"reference": application.reference}
                )
            },
        )


class ApplicationDetailView(JsonAPIView):
    permission_classes = [PortalAccess]

    @extend_schema(
        tags=[APPLICANT],
        summary="One of my applications: status, checklist, decision, what I may do",
        parameters=[REFERENCE],
        responses={200: s.ApplicationDetailSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        application = _application(request.user, reference, detailed=True)
        return Response(
            s.ApplicationDetailSerializer(application, context={"request": request}).data
        )


class ApplicantActionView(JsonAPIView):
    """Answers with the application as it now is. An action its status does not allow is
    `409 transition_not_allowed`; a refusal by the rules is `400` with its own code."""

    permission_classes = [PortalAccess]
    input_serializer: type[Serializer] | None = None

    def perform(self, application: Application, data: dict, request: Request) -> None:
        raise NotImplementedError

    def post(self, request: Request, reference: str) -> Response:
        application = _application(request.user, reference)
        data = _input(self.input_serializer, request) if self.input_serializer else {}
        self.perform(application, data, request)
        application = _application(request.user, reference, detailed=True)
        return Response(
            s.ApplicationDetailSerializer(application, context={"request": request}).data
        )


_APPLICANT_ACTION_RESPONSES = {
    200: s.ApplicationDetailSerializer,
    **errors(400, 401, 403, 404, 409),
}


@extend_schema(
    tags=[APPLICANT],
    summary="Submit the application (every mandatory piece needs a file)",
    parameters=[REFERENCE],
    request=None,
    responses=_APPLICANT_ACTION_RESPONSES,
)
class ApplicationSubmitView(ApplicantActionView):
    def perform(self, application, data, request):
        services.application_submit(application=application, actor=request.user)


@extend_schema(
    tags=[APPLICANT],
    summary="Withdraw the application",
    parameters=[REFERENCE],
    request=None,
    responses=_APPLICANT_ACTION_RESPONSES,
)
class ApplicationWithdrawView(ApplicantActionView):
    def perform(self, application, data, request):
        services.application_withdraw(application=application, actor=request.user)


@extend_schema(
    tags=[APPLICANT],
    summary="Answer the prefecture's correction request (add the requested files first)",
    parameters=[REFERENCE],
    request=s.CorrectionAnswerSerializer,
    responses=_APPLICANT_ACTION_RESPONSES,
)
class CorrectionAnswerView(ApplicantActionView):
    input_serializer = s.CorrectionAnswerSerializer

    def perform(self, application, data, request):
        services.correction_answer(
            application=application, actor=request.user, answer=data["answer"]
        )


# --- Applicant: documents -----------------------------------------------------------------------


class ApplicationDocumentsView(APIView):
    permission_classes = [PortalAccess]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=[APPLICANT],
        summary="Files of the application (checklist pieces and error-report evidence)",
        parameters=[REFERENCE],
        responses={200: s.DocumentSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        application = _application(request.user, reference)
        documents = document_list_visible_to(request.user).filter(application=application)
        return Response(s.DocumentSerializer(documents, many=True).data)

    @extend_schema(
        tags=[APPLICANT],
        summary="Add one or several files to one checklist piece",
        description="Multipart: `document_type` (code) and one or more `files` parts. Files are "
        "checked by their content (PDF, JPEG or PNG) and size; all are added or none.",
        parameters=[REFERENCE],
        request={"multipart/form-data": s.DocumentUploadSerializer},
        responses={201: s.DocumentSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, reference: str) -> Response:
        application = _application(request.user, reference)
        data = _input(s.DocumentUploadSerializer, request)
        batch = uploads.Batch(expected=len(data["files"]))  # limits per request
        with transaction.atomic():
            documents = [
                services.document_add(
                    application=application,
                    document_type=data["document_type"],
                    uploaded_file=uploaded_file,
                    actor=request.user,
                    batch=batch,
                )
                for uploaded_file in data["files"]
            ]
        return Response(
            s.DocumentSerializer(documents, many=True).data, status=status.HTTP_201_CREATED
        )


class DocumentDetailView(JsonAPIView):
    permission_classes = [PortalAccess]

    @extend_schema(
        tags=[APPLICANT],
        summary="Remove a file (a filed piece keeps at least one file)",
        responses={204: None, **errors(400, 401, 403, 404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        document = _get(
            document_list_visible_to(request.user), _("No document with this id."), pk=pk
        )
        services.document_remove(document=document, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IgnoreAcceptHeader(BaseContentNegotiation):
    """A download may be asked with `Accept: application/pdf`; errors are still JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DocumentFileView(JsonAPIView):
    permission_classes = [DocumentAccess]
    content_negotiation_class = IgnoreAcceptHeader

    @extend_schema(
        tags=[APPLICANT, AGENT],
        summary="Download a file (owner, or an agent of the dossier's prefecture)",
        parameters=[
            OpenApiParameter(
                "inline",
                OpenApiTypes.STR,
                description="Present: show in the browser instead of downloading.",
            )
        ],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            **errors(401, 403, 404),
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        # Same rule as applications/views/documents.py: the scoped queryset decides.
        document = _get(
            document_list_visible_to(request.user), _("No document with this id."), pk=pk
        )
        if (held_until := recovery_hold_until(request.user)) is not None:  # issue 15
            raise PermissionDenied(recovery_hold_message(held_until))
        if document.is_purged:  # deleted at the end of the retention period (issue 8)
            raise NotFound(
                _("This document was deleted on %(date)s (retention period).")
                % {"date": date_format(timezone.localdate(document.purged_at), "DATE_FORMAT")}
            )
        personal_data_access_record(
            viewer=request.user,
            person=document.application.applicant,
            scope=PersonalDataScope.DOCUMENT,
            application=document.application,
        )
        response = FileResponse(
            document.file.open("rb"),
            content_type=uploads.served_type(document.content_type),
            as_attachment=request.query_params.get("inline") is None,
            filename=uploads.display_name(document.original_name, document.content_type),
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        add_never_cache_headers(response)
        return response


# --- Applicant: error reports, timeline, permits, address ---------------------------------------


def _error_reports(user) -> QuerySet[ErrorReport]:
    """Error reports follow their dossier's visibility."""
    return (
        ErrorReport.objects.filter(application__in=application_list_visible_to(user).values("pk"))
        .select_related("application")
        .prefetch_related("evidence__document_type")
    )


class ApplicationErrorReportsView(APIView):
    permission_classes = [PortalAccess]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=[APPLICANT],
        summary="My error reports on this application and their answers",
        parameters=[REFERENCE],
        responses={200: s.ErrorReportSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        application = _application(request.user, reference)
        reports = _error_reports(request.user).filter(application=application)
        return Response(s.ErrorReportSerializer(reports, many=True).data)

    @extend_schema(
        tags=[APPLICANT],
        summary="Report an error in the record (with evidence files, in multipart)",
        parameters=[REFERENCE],
        request={
            "application/json": s.ErrorReportCreateSerializer,
            "multipart/form-data": s.ErrorReportCreateSerializer,
        },
        responses={201: s.ErrorReportSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, reference: str) -> Response:
        application = _application(request.user, reference)
        data = _input(s.ErrorReportCreateSerializer, request)
        report = services.error_report_create(
            application=application,
            actor=request.user,
            category=data["category"],
            description=data["description"],
            evidence=data["evidence"],
        )
        report = _error_reports(request.user).get(pk=report.pk)
        return Response(s.ErrorReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ApplicationEventsView(JsonAPIView):
    permission_classes = [PortalAccess]

    @extend_schema(
        tags=[APPLICANT],
        summary="Timeline of the application, in plain words",
        parameters=[REFERENCE],
        responses={200: s.EventSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        application = _application(request.user, reference)
        entries = [
            {
                "kind": event.kind,
                "kind_label": event.get_kind_display(),
                "text": text,
                "created_at": event.created_at,
                "actor_role": event.actor_role,
            }
            for event, text in timeline_entries(application.events.all())
        ]
        return Response(s.EventSerializer(entries, many=True).data)


class PermitListView(JsonGenericAPIView):
    permission_classes = [PortalAccess]
    serializer_class = s.PermitDeclareSerializer  # the input (browsable API's form)

    def get_queryset(self) -> QuerySet[ResidencePermit]:
        return permit_list_held_by(_subject(self.request))

    @extend_schema(
        tags=[APPLICANT],
        summary="The residence permits I hold or held",
        parameters=[ON_BEHALF_OF],
        responses={
            200: s.PermitSerializer(many=True),
            # A helper's `on_behalf_of`: missing (400), or no mandate in force from that person.
            **page_errors(
                400,
                401,
                403,
                not_found=f"{PAGE_NOT_FOUND} For a helper: no mandate in force from that person.",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PermitSerializer(page, many=True).data)

    @extend_schema(
        tags=[APPLICANT],
        summary="Declare a residence permit (needed to ask for its renewal)",
        parameters=[ON_BEHALF_OF],
        request=s.PermitDeclareSerializer,
        # 404: a helper's `on_behalf_of` names no one with a mandate in force.
        responses={201: s.PermitSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        data = _input(s.PermitDeclareSerializer, request)
        permit = services.permit_declare(
            holder=_subject(request),
            number=data["number"],
            card_type=data["card_type"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            ground=data.get("ground"),
            handed_over=data["handed_over"],
            handed_over_on=data.get("handed_over_on"),
            actor=request.user,
        )
        return Response(s.PermitSerializer(permit).data, status=status.HTTP_201_CREATED)


class AddressChangeView(JsonAPIView):
    permission_classes = [PortalAccess]

    @extend_schema(
        tags=[APPLICANT],
        summary="Record a move; open applications follow to the new prefecture",
        parameters=[ON_BEHALF_OF],
        request=s.AddressChangeSerializer,
        # 404: a helper's `on_behalf_of` names no one with a mandate in force.
        responses={200: s.AddressChangeResultSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        data = _input(s.AddressChangeSerializer, request)
        profile = applicant_profile_get(user=_subject(request))
        if profile is None:
            raise DomainError(
                "profile_missing", _("Please fill in your identity and address first.")
            )
        moved = services.address_change(profile=profile, actor=request.user, **data)
        return Response(
            s.AddressChangeResultSerializer(
                {**data, "transferred_applications": [app.reference for app in moved]}
            ).data
        )


# --- Agents -------------------------------------------------------------------------------------


@extend_schema(tags=[AGENT])
class AgentQueueView(JsonGenericAPIView):
    permission_classes = [BackOfficeAccess]
    serializer_class = s.QueueItemSerializer

    def get_queryset(self) -> QuerySet[Application]:
        filters = s.QueueFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return backoffice_queue(self.request.user, QueueFilters(**filters.validated_data))

    @extend_schema(
        summary="The prefecture's filed applications, filtered (renewals first by default)",
        parameters=[s.QueueFilterSerializer],
        responses={200: s.QueueItemSerializer(many=True), **page_errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.QueueItemSerializer(page, many=True).data)


def _agent_detail(request: Request, reference: str) -> Response:
    application = _application(request.user, reference, detailed=True)
    personal_data_access_record(
        viewer=request.user,
        person=application.applicant,
        scope=PersonalDataScope.DOSSIER,
        application=application,
    )
    return Response(
        s.AgentApplicationDetailSerializer(application, context={"request": request}).data
    )


class AgentApplicationDetailView(JsonAPIView):
    permission_classes = [BackOfficeAccess]

    @extend_schema(
        tags=[AGENT],
        summary="One application of the prefecture, with the person's other open applications",
        parameters=[REFERENCE],
        responses={200: s.AgentApplicationDetailSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        return _agent_detail(request, reference)


class AgentActionView(JsonAPIView):
    """Answers with the application as it now is. A step its status does not allow is
    `409 transition_not_allowed`; a refusal by the rules (missing reasons, a past deadline…) is
    `400` with its own code."""

    permission_classes = [BackOfficeAccess]
    input_serializer: type[Serializer] | None = None

    def perform(self, application: Application, data: dict, request: Request) -> None:
        raise NotImplementedError

    def post(self, request: Request, reference: str) -> Response:
        application = _application(request.user, reference)
        data = _input(self.input_serializer, request) if self.input_serializer else {}
        self.perform(application, data, request)
        return _agent_detail(request, reference)


_AGENT_ACTION_RESPONSES = {
    200: s.AgentApplicationDetailSerializer,
    **errors(400, 401, 403, 404, 409),
}


def _agent_action_schema(summary: str, request_serializer=None):
    return extend_schema(
        tags=[AGENT],
        summary=summary,
        parameters=[REFERENCE],
        request=request_serializer,
        responses=_AGENT_ACTION_RESPONSES,
    )


@_agent_action_schema("Mark the application complete")
class MarkCompleteView(AgentActionView):
    def perform(self, application, data, request):
        services.application_mark_complete(application=application, actor=request.user)


@_agent_action_schema("Ask the applicant for a correction", s.RequestCorrectionSerializer)
class RequestCorrectionView(AgentActionView):
    input_serializer = s.RequestCorrectionSerializer

    def perform(self, application, data, request):
        services.correction_request_create(
            application=application,
            actor=request.user,
            message=data["message"],
            deadline=data["deadline"],
            document_types=data.get("document_types", []),
        )


@_agent_action_schema("Take a favourable decision")
class DecideFavourableView(AgentActionView):
    def perform(self, application, data, request):
        services.application_decide_favourable(application=application, actor=request.user)


@_agent_action_schema(
    "Refuse, with the reason, explanation, legal basis and remedies",
    s.ReasonedDecisionSerializer,
)
class DecideUnfavourableView(AgentActionView):
    input_serializer = s.ReasonedDecisionSerializer

    def perform(self, application, data, request):
        services.application_decide_unfavourable(
            application=application, actor=request.user, **data
        )


@_agent_action_schema(
    "Close, with the reason, explanation, legal basis and remedies",
    s.ReasonedDecisionSerializer,
)
class CloseView(AgentActionView):
    input_serializer = s.ReasonedDecisionSerializer

    def perform(self, application, data, request):
        services.application_close(application=application, actor=request.user, **data)


@_agent_action_schema("Record that the card is ready to collect")
class CardAvailableView(AgentActionView):
    def perform(self, application, data, request):
        services.application_record_card_available(application=application, actor=request.user)


@_agent_action_schema(
    "Record the card's handover (the card becomes a permit held)", s.CardHandedOverSerializer
)
class CardHandedOverView(AgentActionView):
    input_serializer = s.CardHandedOverSerializer

    def perform(self, application, data, request):
        services.application_record_card_handed_over(
            application=application, actor=request.user, **data
        )


class ErrorReportAnswerView(JsonAPIView):
    permission_classes = [BackOfficeAccess]
    input_serializer: type[Serializer]

    def perform(self, report: ErrorReport, data: dict, request: Request) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        report = _get(_error_reports(request.user), _("No error report with this id."), pk=pk)
        self.perform(report, _input(self.input_serializer, request), request)
        return Response(s.ErrorReportSerializer(_error_reports(request.user).get(pk=pk)).data)


_REPORT_RESPONSES = {200: s.ErrorReportSerializer, **errors(400, 401, 403, 404, 409)}


@extend_schema(
    tags=[AGENT],
    summary="Accept an error report and correct the record (optionally re-open the decision)",
    request=s.ErrorReportAcceptSerializer,
    responses=_REPORT_RESPONSES,
)
class ErrorReportAcceptView(ErrorReportAnswerView):
    input_serializer = s.ErrorReportAcceptSerializer

    def perform(self, report, data, request):
        services.error_report_accept(report=report, actor=request.user, **data)


@extend_schema(
    tags=[AGENT],
    summary="Reject an error report, saying why",
    request=s.ErrorReportRejectSerializer,
    responses=_REPORT_RESPONSES,
)
class ErrorReportRejectView(ErrorReportAnswerView):
    input_serializer = s.ErrorReportRejectSerializer

    def perform(self, report, data, request):
        services.error_report_reject(report=report, actor=request.user, note=data["note"])


class ForeignerNumberView(JsonAPIView):
    permission_classes = [BackOfficeAccess]

    @extend_schema(
        tags=[AGENT],
        summary="Attach the foreigner number to a person who has an application here",
        parameters=[
            OpenApiParameter("user_id", OpenApiTypes.INT, OpenApiParameter.PATH),
        ],
        request=s.ForeignerNumberSerializer,
        responses={200: s.ForeignerNumberResultSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, user_id: int) -> Response:
        # Only the people whose dossiers this agent may see.
        profiles = ApplicantProfile.objects.filter(
            user__in=application_list_visible_to(request.user).values("applicant")
        )
        profile = _get(profiles, _("No applicant with this id."), user_id=user_id)
        data = _input(s.ForeignerNumberSerializer, request)
        services.foreigner_number_attach(profile=profile, number=data["number"], actor=request.user)
        profile.refresh_from_db(fields=["foreigner_number"])
        return Response(
            s.ForeignerNumberResultSerializer(
                {"user_id": profile.user_id, "foreigner_number": profile.foreigner_number}
            ).data
        )
