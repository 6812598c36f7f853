"""Public verification endpoints for organisations (DESIGN.md §4: "verification (public,
rate-limited)"): the same facts as the verification page, as JSON.

No account and no session: no authentication runs (so no CSRF for a POST from a script), and
every client is limited per IP address (`PerIpRateThrottle`, scope `verify`).
"""

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anef.api_errors import error_body
from anef.api_parsers import DepthLimitedJSONParser as JSONParser
from applications.api.serializers import ErrorSerializer
from attestations import numbers, signed_codes, signing, verification
from attestations.api import serializers as s
from attestations.selectors import attestation_get_public
from attestations.throttling import SCOPE_API, PerIpRateThrottle

VERIFICATION = "verification"
TOO_MANY = "`throttled`: too many requests from this client; wait `details.wait` seconds."

NUMBER = OpenApiParameter(
    "number",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The attestation's number, e.g. API-2027-7K3M9Q2X-R (case and spaces ignored).",
)


ON_DAY = OpenApiParameter(
    "on",
    OpenApiTypes.DATE,
    OpenApiParameter.QUERY,
    required=False,
    description="The day to answer for (YYYY-MM-DD; default: today). The answer comes from the "
    "ledger: what the attestation was on that day, as known now.",
)


def _day_asked(text: str | None):
    """The `on` parameter as a date; None when absent or not a real date."""
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError:  # well formed but not a day of the calendar (2027-02-30)
        return None


def _errors(descriptions: dict[int, str]) -> dict[int, OpenApiResponse]:
    return {
        code: OpenApiResponse(ErrorSerializer, description=text)
        for code, text in descriptions.items()
    }


class PublicVerificationView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PerIpRateThrottle]
    throttle_scope = SCOPE_API
    parser_classes = [JSONParser]


class VerifyView(PublicVerificationView):
    @extend_schema(
        tags=[VERIFICATION],
        summary="Check an attestation by its number",
        description="Its status today, the holder's name, its validity and the rights it "
        "states. No account needed; rate-limited per client.",
        parameters=[NUMBER, ON_DAY],
        responses={
            200: s.VerificationSerializer,
            **_errors(
                {
                    400: "`invalid_number`: the number contains a typing mistake; "
                    "`invalid_date`: `on` is not a date (YYYY-MM-DD).",
                    404: "No attestation has this number.",
                    429: TOO_MANY,
                }
            ),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        normalised = numbers.normalise(number)
        if not numbers.is_well_formed(normalised):
            return Response(
                error_body(
                    "invalid_number",
                    _("Check the number: it contains a typing mistake."),
                    {"number": number},
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        day = _day_asked(request.query_params.get("on"))
        if "on" in request.query_params and day is None:
            return Response(
                error_body(
                    "invalid_date", _("Give the day as YYYY-MM-DD, for example 2027-03-01.")
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        attestation = attestation_get_public(normalised)
        if attestation is None:
            raise NotFound(_("No attestation has this number."))
        facts = verification.verification_facts_for(attestation, today=day)
        return Response(s.VerificationSerializer(facts).data)


class VerifyTokenView(PublicVerificationView):
    @extend_schema(
        tags=[VERIFICATION],
        summary="Check the signed code of a QR code",
        description="Verifies the Ed25519 signature with the published keys and returns what "
        "the code says, with the attestation's status today. An altered code, or one signed "
        "by a key we never used, is refused with `invalid_token`.",
        request=s.TokenInputSerializer,
        responses={
            200: s.TokenVerificationSerializer,
            **_errors(
                {
                    400: "`invalid_token`: altered or not signed by us; `invalid`: no token.",
                    429: TOO_MANY,
                }
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = s.TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = signing.token_from_scan(serializer.validated_data["token"])
        try:
            payload = signing.verify_token(token)
        except signing.InvalidToken:
            return Response(
                error_body(
                    "invalid_token",
                    _(
                        "This code has been altered or was not issued by us. Do not rely on the "
                        "document that carries it."
                    ),
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        if not isinstance(payload, dict):
            return Response(
                error_body("invalid_token", _("This code is not an attestation code.")),
                status=status.HTTP_400_BAD_REQUEST,
            )
        attestation = attestation_get_public(str(payload.get("n", "")))
        body = {
            "authentic": True,
            "key_id": token.split(".")[1],
            "payload": signed_codes.payload_facts(payload),
            "attestation": verification.verification_facts_for(attestation)
            if attestation is not None
            else None,
        }
        return Response(s.TokenVerificationSerializer(body).data)
