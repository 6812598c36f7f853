"""The prefecture agent's endpoints on dossiers: the queue, one dossier, and the instruction and
decision steps."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from applications import services
from applications.api import serializers as s
from applications.api.views._common import (
    AGENT,
    REFERENCE,
    BackOfficeAccess,
    JsonAPIView,
    JsonGenericAPIView,
    _application,
    _input,
    errors,
    page_errors,
)
from applications.consultations import consulted
from applications.models import Application
from applications.selectors import (
    QueueFilters,
    backoffice_queue,
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
    consulted(viewer=request.user, application=application)  # logged for the person (issue 8)
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
