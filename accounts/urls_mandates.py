"""Mandates in the portal, mounted at /portal/mandates/ (namespace `mandates`)."""

from django.urls import path

from accounts.views import mandates

app_name = "mandates"

urlpatterns = [
    # The person: "My helpers".
    path("", mandates.mine, name="mine"),
    path("<int:pk>/confirm/", mandates.confirm, name="confirm"),
    path("confirm/<str:token>/", mandates.confirm_link, name="confirm_link"),
    path("<int:pk>/revoke/", mandates.revoke, name="revoke"),
    path("<int:pk>/receipt/", mandates.receipt, name="receipt"),
    path("<int:pk>/signed-form/", mandates.consent_file, name="consent_file"),
    # The helper: "People I help".
    path("helping/", mandates.helping, name="helping"),
    path("helping/request/", mandates.request_view, name="request"),
    path("helping/record/", mandates.record, name="record"),
    path("helping/act-for/<int:person_id>/", mandates.act_for, name="act_for"),
    path("helping/stop/", mandates.stop_acting, name="stop_acting"),
]
