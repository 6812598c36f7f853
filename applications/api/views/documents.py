"""The applicant's files: list and add to a checklist piece, remove, and the download (for the
owner or an agent of the dossier's prefecture)."""

from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anef import holds, uploads
from applications import services
from applications.api import serializers as s
from applications.api.views._common import (
    AGENT,
    APPLICANT,
    REFERENCE,
    DocumentAccess,
    JsonAPIView,
    PortalAccess,
    _application,
    _get,
    _input,
    errors,
)
from applications.consultations import consulted
from applications.selectors import (
    document_list_visible_to,
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
        if (hold := holds.hold_for(request.user)) is not None:  # issue 15
            raise PermissionDenied(hold.message)
        if document.is_purged:  # deleted at the end of the retention period (issue 8)
            raise NotFound(
                _("This document was deleted on %(date)s (retention period).")
                % {"date": date_format(timezone.localdate(document.purged_at), "DATE_FORMAT")}
            )
        consulted(viewer=request.user, application=document.application, document=document)
        response = uploads.file_response(
            document.file,
            content_type=document.content_type,
            name=document.original_name,
            inline=request.query_params.get("inline") is not None,
        )
        add_never_cache_headers(response)
        return response
