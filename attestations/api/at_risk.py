"""The at-risk dashboard for integrations (`GET /api/v1/agent/at-risk/`, tag `agent`): the
same four sections as the back-office page (attestations.at_risk), for the agent's own
prefecture only. Codes are plain strings documented in `help_text`; no rule lives here."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from applications.api.views._common import AGENT, BackOfficeAccess, JsonAPIView, errors
from attestations.at_risk import at_risk_dashboard


class AtRiskContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()
    address = serializers.CharField(help_text="Postal address; empty when none is recorded.")


class AtRiskRowSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Why it is listed: `permit_ending`, `draft_not_filed` (a); `filed_late`, "
        "`incomplete_near_expiry`, `incomplete_near_window_end` (b); `waiting_for_sweep`, "
        "`sweep_late`, `no_review_planned`, `review_too_late` (c: why no next attestation was "
        "issued); `implicit_rejection`, `complete_for_long` (d)."
    )
    action = serializers.CharField(
        help_text="What to do: `remind`, `book_appointment`, `call`, `examine`, `issue_now`, "
        "`decide`."
    )
    contact = AtRiskContactSerializer()
    due_on = serializers.DateField(
        help_text="The day that matters: the card's end, the last day to file, the "
        "attestation's end, the implicit rejection, or the completion (`complete_for_long`)."
    )
    days_left = serializers.IntegerField(help_text="Negative once `due_on` has passed.")
    application = serializers.CharField(
        source="application.reference", allow_null=True, default=None
    )
    permit_number = serializers.CharField(source="permit.number", allow_null=True, default=None)
    attestation = serializers.CharField(source="attestation.number", allow_null=True, default=None)
    sweep_due_on = serializers.DateField(
        allow_null=True, help_text="(c) The application's next review day, if any."
    )


class AtRiskCountsSerializer(serializers.Serializer):
    permits_ending = serializers.IntegerField()
    renewals = serializers.IntegerField()
    api_gaps = serializers.IntegerField(help_text="Must be zero.")
    decisions_due = serializers.IntegerField()


class AtRiskDashboardSerializer(serializers.Serializer):
    prefecture = serializers.CharField(source="prefecture.code")
    today = serializers.DateField()
    counts = AtRiskCountsSerializer()
    permits_ending = AtRiskRowSerializer(
        many=True, help_text="(a) Cards ending within 60 days with no renewal filed."
    )
    renewals = AtRiskRowSerializer(many=True, help_text="(b) Renewals the law leaves uncovered.")
    api_gaps = AtRiskRowSerializer(
        many=True, help_text="(c) APIs ending soon with no next one issued: must be empty."
    )
    decisions_due = AtRiskRowSerializer(many=True, help_text="(d) Decisions due.")


class AgentAtRiskView(JsonAPIView):
    permission_classes = [BackOfficeAccess]

    @extend_schema(
        tags=[AGENT],
        summary="The prefecture's people at risk of having no document, and what to do",
        responses={200: AtRiskDashboardSerializer, **errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        dashboard = at_risk_dashboard(request.user)
        return Response(AtRiskDashboardSerializer(dashboard).data)
