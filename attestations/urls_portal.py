from django.urls import path

from attestations.views import portal

app_name = "attestations_portal"

urlpatterns = [
    path("", portal.attestation_list, name="list"),
    path("<str:number>/pdf/", portal.attestation_pdf, name="pdf"),
]
