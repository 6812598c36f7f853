from django.urls import path

from applications.views import portal, profile
from applications.views.messages import portal_message_attachment, portal_message_post

app_name = "portal"

urlpatterns = [
    path("", portal.home, name="home"),
    # The person's identity, address and cards held.
    path("profile/", profile.profile, name="profile"),
    path("profile/address/", profile.address_change_view, name="address_change"),
    path("permits/", portal.permit_list, name="permits"),
    path("permits/new/", portal.permit_new, name="permit_new"),
    # Starting an application, in guided steps (ground → procedure → card renewed).
    path("applications/new/", portal.application_new, name="application_new"),
    path(
        "applications/new/<slug:ground_code>/",
        portal.application_new_procedure,
        name="application_new_procedure",
    ),
    path(
        "applications/new/<slug:ground_code>/renewal/",
        portal.application_new_renewal,
        name="application_new_renewal",
    ),
    path(
        "applications/new/<slug:ground_code>/change-of-status/",
        portal.application_new_change_of_status,
        name="application_new_change_of_status",
    ),
    # One dossier.
    path("applications/<str:reference>/", portal.application_detail, name="application_detail"),
    path(
        "applications/<str:reference>/documents/<slug:code>/",
        portal.document_upload,
        name="document_upload",
    ),
    path(
        "applications/<str:reference>/files/<int:pk>/remove/",
        portal.document_delete,
        name="document_remove",
    ),
    path(
        "applications/<str:reference>/submit/",
        portal.application_submit_view,
        name="application_submit",
    ),
    path(
        "applications/<str:reference>/withdraw/",
        portal.application_withdraw_view,
        name="application_withdraw",
    ),
    path(
        "applications/<str:reference>/correction/",
        portal.correction_answer_view,
        name="correction_answer",
    ),
    path(
        "applications/<str:reference>/reports/",
        portal.error_report_view,
        name="error_report_create",
    ),
]

# The dossier's message thread (issue 20, applications/views/messages.py).
urlpatterns += [
    path("applications/<str:reference>/messages/", portal_message_post, name="message_post"),
    path(
        "applications/<str:reference>/messages/files/<int:pk>/",
        portal_message_attachment,
        name="message_attachment",
    ),
]
