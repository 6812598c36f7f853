from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.serializers import ApiTokenSerializer, MandateSerializer, MeSerializer
from accounts.mandates import mandate_list_given, mandate_list_held, mandate_revoke
from accounts.permissions import HasAccess, can_use_portal, is_applicant
from accounts.services import api_token_issue
from anef.api_auth import MfaRequired, staff_token_expires_at
from anef.api_errors import ErrorSerializer
from anef.second_factor import second_factor_missing


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
    revoked = mandate_revoke(mandate=mandate, person=request.user)
    return Response(MandateSerializer(mandate_list_given(request.user).get(pk=revoked.pk)).data)


@extend_schema(
    tags=["auth"],
    summary="Issue an API token to the signed-in session (replaces the previous one)",
    description=(
        "Only a browser session signed in through the login page may ask: a token never mints "
        "another token. Where staff two-factor is required, a staff session must have passed "
        "its second factor, and staff tokens expire."
    ),
    request=None,
    responses={
        201: ApiTokenSerializer,
        401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
        403: OpenApiResponse(ErrorSerializer, description="Second factor not passed."),
    },
)
@api_view(["POST"])
@authentication_classes([SessionAuthentication])
def token_issue(request: Request) -> Response:
    # The middleware already refuses such a session; checked here too because issuing a token
    # is the one place where a missing second factor would outlive the session.
    if second_factor_missing(request, request.user):
        raise MfaRequired()
    token = api_token_issue(user=request.user)
    body = {"token": token.key, "expires_at": staff_token_expires_at(token)}
    return Response(ApiTokenSerializer(body).data, status=status.HTTP_201_CREATED)
