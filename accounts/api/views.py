from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.serializers import MandateSerializer, MeSerializer
from accounts.mandates import MandateError, mandate_list_given, mandate_list_held, mandate_revoke
from accounts.permissions import HasAccess, can_use_portal, is_applicant
from anef.api_errors import error_body
from applications.api.serializers import ErrorSerializer


@extend_schema(
    summary="The signed-in account, its role and abilities",
    responses={
        200: MeSerializer,
        401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    },
)
@api_view(["GET"])
def me(request: Request) -> Response:
    return Response(MeSerializer(request.user).data)


@extend_schema(
    tags=["mandates"],
    summary="My mandates: given (a person) or held (a helper)",
    responses={
        200: MandateSerializer(many=True),
        401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
        403: OpenApiResponse(ErrorSerializer, description="Staff accounts have no mandates."),
    },
)
@api_view(["GET"])
@permission_classes([HasAccess.for_check(can_use_portal)])
def mandate_list(request: Request) -> Response:
    mandates = (
        mandate_list_given(request.user)
        if is_applicant(request.user)
        else mandate_list_held(request.user)
    )
    return Response(MandateSerializer(mandates, many=True).data)


@extend_schema(
    tags=["mandates"],
    summary="Revoke a mandate I gave, with immediate effect",
    request=None,
    responses={
        200: MandateSerializer,
        401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
        403: OpenApiResponse(
            ErrorSerializer, description="Only the person who gave it revokes it."
        ),
        404: OpenApiResponse(ErrorSerializer, description="Not one of my mandates."),
        409: OpenApiResponse(ErrorSerializer, description="Already revoked."),
    },
)
@api_view(["POST"])
@permission_classes([HasAccess.for_check(is_applicant)])
def mandate_revoke_view(request: Request, pk: int) -> Response:
    mandate = mandate_list_given(request.user).filter(pk=pk).first()
    if mandate is None:
        raise NotFound(_("No mandate with this id."))
    try:
        revoked = mandate_revoke(mandate=mandate, person=request.user)
    except MandateError as error:
        return Response(error_body(error.code, error.message), status=status.HTTP_409_CONFLICT)
    return Response(MandateSerializer(mandate_list_given(request.user).get(pk=revoked.pk)).data)
