"""Public verification endpoints for organisations (DESIGN.md §4: "verification (public,
rate-limited)"): the same facts as the verification page, as JSON.

No account and no session: no authentication runs (so no CSRF for a POST from a script), and
every client is limited per IP address (`PerIpRateThrottle`, scope `verify`).
"""

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anef.api_errors import error_body
from anef.api_parsers import DepthLimitedJSONParser as JSONParser
from applications.api.serializers import ErrorSerializer
from attestations import numbers, signed_codes, signing, unclear, verification
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


UNCLEAR = (
    " A check that cannot be completed never answers a bare « invalid »: `details` says what it "
    "means (`meaning`), that it says nothing of the person's rights (`not_meaning`), what the "
    "checker and the holder can do (`checker_can`, `holder_can`), the day of the answer "
    "(`checked_on`), the checker's guide (`guide_url`) and where to ask (`contact_url`)."
)


def _unclear(code: str, message, http_status: int, number: str = "") -> Response:
    answer = unclear.unclear_answer(code, today=timezone.localdate(), number=number)
    details = answer.as_details()
    if number:
        details["number"] = number
    return Response(error_body(code, message, details), status=http_status)


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
                    "`invalid_date`: `on` is not a date (YYYY-MM-DD)." + UNCLEAR,
                    404: "`not_found`: we could not find this number; it does not mean the "
                    "person has no right." + UNCLEAR,
                    429: TOO_MANY,
                }
            ),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        normalised = numbers.normalise(number)
        if not numbers.is_well_formed(normalised):
            return _unclear(
                unclear.INVALID_NUMBER,
                _("Check the number: it contains a typing mistake."),
                status.HTTP_400_BAD_REQUEST,
                number=number,
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
            return _unclear(
                unclear.NOT_FOUND,
                _(
                    "We could not find this number. Check it was typed as printed: it does not "
                    "mean the person has no right."
                ),
                status.HTTP_404_NOT_FOUND,
                number=normalised,
            )
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
                    400: "`invalid_token`: altered or not signed by us; `invalid`: no token."
                    + UNCLEAR,
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
            return _unclear(
                unclear.INVALID_TOKEN,
                _(
                    "This code could not be confirmed: it was altered, damaged or not issued by "
                    "us. Type the attestation's number instead."
                ),
                status.HTTP_400_BAD_REQUEST,
            )
        if not isinstance(payload, dict):
            return _unclear(
                unclear.INVALID_TOKEN,
                _("This code is not an attestation code."),
                status.HTTP_400_BAD_REQUEST,
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
