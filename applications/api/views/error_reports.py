"""Error reports: the person reports an error in the record (with evidence), an agent accepts or
rejects it."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from anef.api_parsers import DepthLimitedJSONParser as JSONParser
from applications import services
from applications.api import serializers as s
from applications.api.views._common import (
    AGENT,
    APPLICANT,
    REFERENCE,
    BackOfficeAccess,
    JsonAPIView,
    PortalAccess,
    _application,
    _error_reports,
    _get,
    _input,
    errors,
)
from applications.models import ErrorReport

# --- Applicant: error reports -------------------------------------------------------------------


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


# --- Agents: answers to error reports -----------------------------------------------------------


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
