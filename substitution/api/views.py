"""The applicant's appointments over the API (`/api/v1/substitution/...`): list, book, cancel,
and the free slots of their case's prefecture. Same layers as the pages: the role is checked by
`HasAccess`, objects are looked up in querysets scoped to the person (anyone else's is a 404),
every write is one service call; a refusal is a JSON error `{code, message, details}`."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import HasAccess, can_use_portal
from substitution import selectors, services
from substitution.api import serializers as s
from substitution.models import Slot
from support.throttling import client_ip

PortalAccess = HasAccess.for_check(can_use_portal)
TAG = "substitution"

_ERRORS = {
    400: OpenApiResponse(s.SubstitutionErrorSerializer, description="Refused by the rules."),
    401: OpenApiResponse(s.SubstitutionErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(s.SubstitutionErrorSerializer, description="Not an applicant."),
    404: OpenApiResponse(s.SubstitutionErrorSerializer, description="Not found, or not yours."),
    409: OpenApiResponse(s.SubstitutionErrorSerializer, description="The slot is full."),
}


def _case(request: Request, reference: str):
    # No reference holds a NUL character, which PostgreSQL refuses in a query (a 500 found by
    # fuzzing the API).
    case = (
        None
        if "\x00" in reference
        else selectors.case_list_for_person(request.user).filter(reference=reference).first()
    )
    if case is None:
        raise NotFound(_("You have no case with this reference."))
    return case


class AppointmentListView(GenericAPIView):
    permission_classes = [PortalAccess]
    serializer_class = s.AppointmentSerializer

    def get_queryset(self):
        return selectors.appointment_list_for_person(self.request.user).select_related(
            "slot__desk__prefecture"
        )

    @extend_schema(
        tags=[TAG],
        summary="My appointments",
        responses={200: s.AppointmentSerializer(many=True), **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset().order_by("-slot__starts_at"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Book (or move) the appointment of my case",
        request=s.BookSerializer,
        responses={201: s.AppointmentSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = s.BookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = _case(request, data.validated_data["case"])
        slot = Slot.objects.filter(pk=data.validated_data["slot"]).first()
        if slot is None:
            raise NotFound(_("No such slot."))
        appointment = services.appointment_book(
            case=case, slot=slot, actor=request.user, origin_ip=client_ip(request)
        )
        return Response(s.AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentCancelView(GenericAPIView):
    permission_classes = [PortalAccess]
    serializer_class = s.AppointmentSerializer

    @extend_schema(
        tags=[TAG],
        summary="Cancel my appointment",
        request=None,
        # The URL's `pk` is named `id` in the schema (drf-spectacular's SCHEMA_COERCE_PATH_PK):
        # documenting `pk` as well declared a path parameter the path does not have.
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Appointment id."
            )
        ],
        responses={200: s.AppointmentSerializer, **_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        appointment = selectors.appointment_list_for_person(request.user).filter(pk=pk).first()
        if appointment is None:
            raise NotFound(_("You have no appointment with this id."))
        appointment = services.appointment_cancel(appointment=appointment, actor=request.user)
        return Response(s.AppointmentSerializer(appointment).data)


class SlotListView(GenericAPIView):
    permission_classes = [PortalAccess]
    serializer_class = s.SlotSerializer
    pagination_class = None

    @extend_schema(
        tags=[TAG],
        summary="Free slots for my case",
        parameters=[
            OpenApiParameter(
                "case", OpenApiTypes.STR, description="Reference of your case (else: your address)."
            )
        ],
        responses={200: s.SlotSerializer(many=True), **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        reference = request.query_params.get("case")
        prefecture = (
            _case(request, reference).prefecture
            if reference
            else selectors.person_prefecture(request.user)
        )
        slots = selectors.slot_list_free(prefecture=prefecture, limit=50)
        return Response(s.SlotSerializer(slots, many=True).data)
