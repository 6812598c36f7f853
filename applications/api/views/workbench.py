"""The instruction workbench for integrations (issue 20, tag `agent`): the agent's lists — the
dossiers assigned to them, those assigned to nobody, those they follow — a dossier's notes, adding
a note, and assigning a dossier.

Same two layers as every agent endpoint: the role by `BackOfficeAccess` (an applicant, a helper,
the contact centre or an administrator is refused, 403), the dossier looked up among those the
agent may see (`application_list_visible_to`: another prefecture's is a 404). The lists are the
queue's selector (`backoffice_queue`, its `scope`), one query per page whatever its size; the
writes are the workbench's services (`applications.workbench.services`), which check who asks
again, write the agent-side event and the audit entry. No rule lives here."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

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
from applications.models import Application
from applications.selectors import QueueFilters, backoffice_queue
from applications.workbench.selectors import annotation_list, prefecture_agents
from applications.workbench.services import (
    ANNOTATION_MAX_LENGTH,
    annotation_create,
    application_assign,
)


def _name(user) -> str:
    return user.get_full_name() or user.email


class AgentSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField(help_text="Full name, or e-mail address.")

    def get_name(self, user) -> str:
        return _name(user)


class WorkbenchItemSerializer(s.QueueItemSerializer):
    assigned_to = serializers.SerializerMethodField(
        help_text="The agent in charge of the application; null when it is unassigned."
    )
    followed_by_me = serializers.BooleanField()

    @extend_schema_field(AgentSummarySerializer(allow_null=True))
    def get_assigned_to(self, application: Application) -> dict | None:
        assignment = getattr(application, "assignment", None)
        return AgentSummarySerializer(assignment.agent).data if assignment else None


# --- The lists ----------------------------------------------------------------------------------


class WorkbenchListView(JsonGenericAPIView):
    """One of the agent's lists: the queue of their prefecture, limited to `scope`, in the
    queue's order (renewals first, then the permits ending soonest)."""

    permission_classes = [BackOfficeAccess]
    serializer_class = WorkbenchItemSerializer
    scope = ""

    def get_queryset(self) -> QuerySet[Application]:
        return backoffice_queue(self.request.user, QueueFilters(scope=self.scope)).select_related(
            "ground", "prefecture"
        )

    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WorkbenchItemSerializer(page, many=True).data)


def _list_schema(summary: str):
    return extend_schema(
        tags=[AGENT],
        summary=summary,
        responses={200: WorkbenchItemSerializer(many=True), **page_errors(401, 403)},
    )


@_list_schema("The filed applications of the prefecture assigned to me")
class WorkbenchMineView(WorkbenchListView):
    scope = "mine"


@_list_schema("The filed applications of the prefecture assigned to nobody")
class WorkbenchUnassignedView(WorkbenchListView):
    scope = "unassigned"


@_list_schema("The applications of the prefecture I follow")
class WorkbenchFollowedView(WorkbenchListView):
    scope = "followed"


# --- Notes --------------------------------------------------------------------------------------


class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    author = AgentSummarySerializer()
    created_at = serializers.DateTimeField()


class NoteCreateSerializer(serializers.Serializer):
    body = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"The note, at most {ANNOTATION_MAX_LENGTH} characters. Not secret: the "
        "person may obtain it on request (GDPR art. 15).",
    )


class ApplicationNotesView(JsonAPIView):
    """The agents' notes on one dossier of the prefecture, oldest first; an agent of the
    prefecture adds one. Never shown to the applicant, their helper or the contact centre."""

    permission_classes = [BackOfficeAccess]

    @extend_schema(
        tags=[AGENT],
        summary="The agents' notes on an application, oldest first",
        parameters=[REFERENCE],
        responses={200: NoteSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        application = _application(request.user, reference)
        return Response(NoteSerializer(annotation_list(application), many=True).data)

    @extend_schema(
        tags=[AGENT],
        summary="Add a note to an application",
        parameters=[REFERENCE],
        request=NoteCreateSerializer,
        responses={201: NoteSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, reference: str) -> Response:
        application = _application(request.user, reference)
        data = _input(NoteCreateSerializer, request)
        note = annotation_create(application=application, actor=request.user, body=data["body"])
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


# --- Assignment ---------------------------------------------------------------------------------


class PrefectureAgentField(serializers.PrimaryKeyRelatedField):
    """Only an active agent of the caller's prefecture can be named: anyone else "does not
    exist" (the service checks the dossier's prefecture again)."""

    def get_queryset(self):
        return prefecture_agents(self.context["request"].user.prefecture_id)


class AssignSerializer(serializers.Serializer):
    agent = PrefectureAgentField(
        queryset=get_user_model().objects.none(),
        required=False,
        help_text="Id of an agent of the prefecture; left out: yourself. Only a supervisor "
        "assigns to someone else, or takes an application from another agent.",
    )


class AssignmentSerializer(serializers.Serializer):
    application = serializers.CharField(source="application.reference")
    assigned_to = AgentSummarySerializer(source="agent")
    assigned_by = AgentSummarySerializer()
    assigned_at = serializers.DateTimeField()


class ApplicationAssignView(JsonAPIView):
    permission_classes = [BackOfficeAccess]

    @extend_schema(
        tags=[AGENT],
        summary="Assign an application: take it yourself, or (supervisors) give it to an agent",
        parameters=[REFERENCE],
        request=AssignSerializer,
        responses={200: AssignmentSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, reference: str) -> Response:
        application = _application(request.user, reference)
        data = _input(AssignSerializer, request)
        assignment = application_assign(
            application=application, agent=data.get("agent", request.user), actor=request.user
        )
        return Response(AssignmentSerializer(assignment).data)
