"""Ticket endpoints, included in `anef.urls.api_v1_patterns` (namespace `api`)."""

from django.urls import path

from support.api import views

urlpatterns = [
    path("tickets/", views.TicketListView.as_view(), name="ticket-list"),
    path("tickets/<str:number>/", views.TicketDetailView.as_view(), name="ticket-detail"),
    path(
        "tickets/<str:number>/messages/",
        views.TicketMessagesView.as_view(),
        name="ticket-messages",
    ),
    path("support/tickets/", views.ConsoleTicketListView.as_view(), name="support-ticket-list"),
    path(
        "support/tickets/<str:number>/",
        views.ConsoleTicketDetailView.as_view(),
        name="support-ticket-detail",
    ),
    path(
        "support/tickets/<str:number>/reply/",
        views.ConsoleReplyView.as_view(),
        name="support-ticket-reply",
    ),
    path(
        "support/tickets/<str:number>/notes/",
        views.ConsoleNoteView.as_view(),
        name="support-ticket-note",
    ),
]
