"""Public verification endpoints for organisations, included in `anef.urls.api_v1_patterns`
(namespace `api`): no account, rate-limited per client."""

from django.urls import path

from attestations.api import views

urlpatterns = [
    # Before `verify/<number>/`, which would otherwise take "token" for a number.
    path("verify/token/", views.VerifyTokenView.as_view(), name="verify-token"),
    path("verify/<str:number>/", views.VerifyView.as_view(), name="verify"),
]
