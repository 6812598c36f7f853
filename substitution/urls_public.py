"""Pages without an account: the help request of a person who cannot sign in, and the private
link of a case (its long token, never the reference)."""

from django.urls import path

from substitution.views import manage, portal, waitlist

app_name = "substitution_public"

urlpatterns = [
    path("help/", portal.help_request, name="help_request"),
    path(
        "appointment-cancel/<str:token>/",
        waitlist.appointment_cancel_link,
        name="appointment_cancel",
    ),
    path("earlier/<str:token>/", waitlist.slot_offer, name="slot_offer"),
    # Issue 21: a booking managed without an account, with a code sent to the case's address
    path("manage/", manage.manage, name="manage"),
    path("manage/code/", manage.manage_code, name="manage_code"),
    path("<str:token>/", portal.public_case, name="case"),
    path("<str:token>/book/", portal.public_case_book, name="case_book"),
    path("<str:token>/cancel/", portal.public_case_cancel, name="case_cancel"),
    path("<str:token>/mode/", portal.public_case_mode, name="case_mode"),
    path("<str:token>/code/send/", portal.public_case_code_send, name="case_code_send"),
    path("<str:token>/calendar.ics", portal.public_case_calendar, name="case_calendar"),
    path("<str:token>/code/verify/", portal.public_case_code_verify, name="case_code_verify"),
    path("<str:token>/waitlist/", waitlist.public_case_waitlist, name="case_waitlist"),
]
