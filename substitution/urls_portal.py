from django.urls import path

from substitution.views import dossier, portal, waitlist

app_name = "substitution_portal"

urlpatterns = [
    path("", portal.home, name="home"),
    path("offer/", portal.offer_accept, name="offer_accept"),
    path("cases/<str:reference>/", portal.case_detail, name="case_detail"),
    path("cases/<str:reference>/book/", portal.case_book, name="case_book"),
    path("cases/<str:reference>/cancel/", portal.case_cancel, name="case_cancel"),
    path("cases/<str:reference>/mode/", portal.case_mode, name="case_mode"),
    path("cases/<str:reference>/waitlist/", waitlist.case_waitlist, name="case_waitlist"),
    path(
        "dossiers/<str:reference>/appointment/",
        dossier.dossier_appointment,
        name="dossier_appointment",
    ),
    path(
        "appointments/<int:pk>/calendar.ics",
        portal.appointment_calendar,
        name="appointment_calendar",
    ),
]
