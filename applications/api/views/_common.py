"""What every dossier endpoint shares: the role checks, whom a helper acts for, the documented
errors, and the scoped look-ups that answer 404 for anyone else's dossier."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from accounts.mandates import mandate_active_for, mandate_covers
from accounts.permissions import HasAccess, can_use_back_office, can_use_portal, is_applicant
from anef.api_parsers import DepthLimitedJSONParser as JSONParser
from anef.errors import DomainError
from applications.api import serializers as s
from applications.models import Application, CorrectionRequest, ErrorReport
from applications.selectors import (
    application_list_visible_to,
)


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


def _error_reports(user) -> QuerySet[ErrorReport]:
    """Error reports follow their dossier's visibility."""
    return (
        ErrorReport.objects.filter(application__in=application_list_visible_to(user).values("pk"))
        .select_related("application")
        .prefetch_related("evidence__document_type")
    )
