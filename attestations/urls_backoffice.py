from django.urls import path

from attestations.views import backoffice

app_name = "attestations_backoffice"

urlpatterns = [
    path("at-risk/", backoffice.at_risk, name="at_risk"),
    path("at-risk/counts/", backoffice.at_risk_counts, name="at_risk_counts"),
    path("at-risk/national/", backoffice.at_risk_national_counts, name="at_risk_national"),
    path("<str:number>/pdf/", backoffice.attestation_pdf, name="pdf"),
    path(
        "applications/<str:reference>/sweep/",
        backoffice.sweep_application,
        name="sweep_application",
    ),
]
