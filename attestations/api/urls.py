"""Attestation endpoints, included in `anef.urls.api_v1_patterns` (namespace `api`): public
verification for organisations (no account, rate-limited per client), and the agents'
at-risk dashboard (under `agent/`, as the other back-office endpoints)."""

from django.urls import path

from attestations.api import views
from attestations.api.at_risk import AgentAtRiskView

urlpatterns = [
    # Before `verify/<number>/`, which would otherwise take "token" for a number.
    path("verify/token/", views.VerifyTokenView.as_view(), name="verify-token"),
    path("verify/<str:number>/", views.VerifyView.as_view(), name="verify"),
    path("agent/at-risk/", AgentAtRiskView.as_view(), name="agent-at-risk"),
]
