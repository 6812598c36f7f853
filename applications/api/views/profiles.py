"""The person's side of the record outside a dossier: permits held, change of address, and the
foreigner number an agent attaches."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import ApplicantProfile
from accounts.selectors import applicant_profile_get
from anef.errors import DomainError
from applications import services
from applications.api import serializers as s
from applications.api.views._common import (
    AGENT,
    APPLICANT,
    ON_BEHALF_OF,
    PAGE_NOT_FOUND,
    BackOfficeAccess,
    JsonAPIView,
    JsonGenericAPIView,
    PortalAccess,
    _get,
    _input,
    _subject,
    errors,
    page_errors,
)
from applications.models import ResidencePermit
from applications.selectors import (
    application_list_visible_to,
    permit_list_held_by,
)

# --- Applicant: permits, address ----------------------------------------------------------------


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


# --- Agents: foreigner number -------------------------------------------------------------------


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
