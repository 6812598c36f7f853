"""Substitution endpoints, included in `anef.urls.api_v1_patterns` (namespace `api`)."""

from django.urls import path

from substitution.api import views

urlpatterns = [
    path(
        "substitution/appointments/",
        views.AppointmentListView.as_view(),
        name="substitution-appointment-list",
    ),
    path(
        "substitution/appointments/<int:pk>/cancel/",
        views.AppointmentCancelView.as_view(),
        name="substitution-appointment-cancel",
    ),
    path("substitution/slots/", views.SlotListView.as_view(), name="substitution-slot-list"),
]
