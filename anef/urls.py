from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import language
from anef import api_docs, metrics, views
from applications.views import documents
from support.views import portal as support_portal

api_v1_patterns = [
    path("", include("accounts.api.urls")),
    path("", include("applications.api.urls")),
    path("", include("attestations.api.urls")),
    path("", include("substitution.api.urls")),
    path("", include("support.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    # /healthz is readiness, kept at its old address for probes written against it.
    path("healthz", views.healthz_ready, name="healthz"),
    path("healthz/live", views.healthz_live, name="healthz_live"),
    path("healthz/ready", views.healthz_ready, name="healthz_ready"),
    path("healthz/scheduler", views.healthz_scheduler, name="healthz_scheduler"),
    path("metrics", metrics.metrics_view, name="metrics"),
    # /accessibility/ (anef.pages), with the contact centre's report category passed in.
    path("", include("support.urls_pages")),
    # Django's language switch, which also records a signed-in person's language.
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path(
        "me/consultations/",
        support_portal.consultations,
        name="personal_data_consultations",
    ),
    path("me/", include("accounts.urls")),
    path("portal/attestations/", include("attestations.urls_portal")),
    path("agents/attestations/", include("attestations.urls_backoffice")),
    path("portal/substitution/", include("substitution.urls_portal")),
    path("agents/substitution/", include("substitution.urls_backoffice")),
    path("substitution/", include("substitution.urls_public")),
    # The appointment cancel link and the offer of an earlier place, short enough for a text
    # message: /r/<key>, /o/<key> (substitution/cancel_links.py).
    path("", include("substitution.urls_short")),
    path("portal/mandates/", include("accounts.urls_mandates")),
    path("portal/tickets/", include("support.urls_portal")),
    path("portal/", include("applications.urls_portal")),
    path("agents/tickets/", include("support.urls_backoffice")),
    path("agents/mandates/", include("accounts.urls_mandates_backoffice")),
    path("agents/", include("applications.urls_backoffice")),
    path("support/", include("support.urls_console")),
    path("contact/", include("support.urls_public")),
    path("documents/<int:pk>/", documents.download, name="document_download"),
    path("verify/", include("attestations.urls_verify")),
    path("processing-times/", include("applications.urls_public")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1_patterns, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs.api_docs, name="api-docs"),
    path(
        "api/docs/explorer/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs-explorer",
    ),
]

handler404 = "anef.views.page_not_found"
handler500 = "anef.views.server_error"
