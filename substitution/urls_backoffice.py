from django.urls import path

from substitution.views import backoffice

app_name = "substitution_backoffice"

urlpatterns = [
    path("", backoffice.home, name="home"),
    path("figures/", backoffice.figures, name="figures"),
    path("cases/<str:reference>/", backoffice.case_detail, name="case_detail"),
    path("cases/<str:reference>/book/", backoffice.case_book, name="case_book"),
    path("cases/<str:reference>/close/", backoffice.case_close, name="case_close"),
    path("appointments/<int:pk>/cancel/", backoffice.appointment_cancel, name="appointment_cancel"),
    path("suspicious/", backoffice.suspicious, name="suspicious"),
    path(
        "appointments/<int:pk>/cancel-suspicious/",
        backoffice.appointment_cancel_suspicious,
        name="appointment_cancel_suspicious",
    ),
    path("appointments/<int:pk>/mark/", backoffice.appointment_mark, name="appointment_mark"),
    path("desks/<int:pk>/day/", backoffice.desk_day, name="desk_day"),
    path("desks/<int:pk>/slots/", backoffice.desk_slots, name="desk_slots"),
    path("desks/<int:pk>/queue/", backoffice.desk_queue, name="desk_queue"),
    path("desks/<int:pk>/queue/issue/", backoffice.queue_issue, name="queue_issue"),
    path("desks/<int:pk>/queue/next/", backoffice.queue_next, name="queue_next"),
    path("deposits/new/", backoffice.deposit_new, name="deposit_new"),
    path("deposits/<str:reference>/", backoffice.deposit_detail, name="deposit_detail"),
    path(
        "deposits/<str:reference>/documents/<slug:code>/",
        backoffice.deposit_upload,
        name="deposit_upload",
    ),
    path("deposits/<str:reference>/file/", backoffice.deposit_file, name="deposit_file"),
]
