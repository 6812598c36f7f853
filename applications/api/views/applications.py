"""The public catalogue of grounds, and the applicant's dossiers: list, start, detail, the
applicant's actions (submit, withdraw, answer a correction) and the timeline."""

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from applications import services
from applications.api import serializers as s
from applications.api.views._common import (
    APPLICANT,
    CATALOGUE,
    ON_BEHALF_OF,
    REFERENCE,
    JsonAPIView,
    JsonGenericAPIView,
    PortalAccess,
    _application,
    _input,
    _subject,
    errors,
    page_errors,
)
from applications.models import Application
from applications.selectors import (
    application_list_visible_to,
    ground_list_offered,
)
from applications.timeline import timeline_entries

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
