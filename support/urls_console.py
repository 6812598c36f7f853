from django.urls import path

from support.views import callbacks, console

app_name = "support_console"

_ticket = "tickets/<str:number>/"

urlpatterns = [
    path("", console.home, name="home"),
    path("tickets/phone/", console.phone_ticket_new, name="phone_new"),
    path(_ticket, console.ticket_detail, name="ticket_detail"),
    path(f"{_ticket}take/", console.ticket_take, name="ticket_take"),
    path(f"{_ticket}assign/", console.ticket_assign, name="ticket_assign"),
    path(f"{_ticket}reply/", console.ticket_reply, name="ticket_reply"),
    path(f"{_ticket}note/", console.ticket_note, name="ticket_note"),
    path(f"{_ticket}escalate/", console.ticket_escalate, name="ticket_escalate"),
    path(f"{_ticket}status/<slug:action>/", console.ticket_status, name="ticket_status"),
    path(
        f"{_ticket}technical-impossibility/",
        console.ticket_confirm_technical_impossibility,
        name="ticket_confirm_technical_impossibility",
    ),
    # Account recovery with four eyes (issue 15)
    path(f"{_ticket}recovery/", console.recovery_request, name="recovery_request"),
    path(
        f"{_ticket}recovery/<str:reference>/facts/", console.recovery_facts, name="recovery_facts"
    ),
    path(
        f"{_ticket}recovery/<str:reference>/approve/",
        console.recovery_approve,
        name="recovery_approve",
    ),
    path(
        f"{_ticket}recovery/<str:reference>/refuse/",
        console.recovery_refuse,
        name="recovery_refuse",
    ),
    path("recoveries/", console.recoveries, name="recoveries"),
    path(
        f"{_ticket}account/password-reset/",
        console.account_password_reset,
        name="account_password_reset",
    ),
    path(f"{_ticket}attachments/<int:pk>/", console.ticket_attachment, name="ticket_attachment"),
    path("saved-answers/", console.saved_answers, name="saved_answers"),
    path("saved-answers/new/", console.saved_answer_edit, name="saved_answer_new"),
    path("saved-answers/<int:pk>/", console.saved_answer_edit, name="saved_answer_edit"),
    # Callbacks (issue 21)
    path("callbacks/", callbacks.console_queue, name="callbacks"),
    path(
        "callbacks/<int:pk>/<str:outcome>/",
        callbacks.console_mark,
        name="callback_mark",
    ),
    path("callbacks/figures/", callbacks.console_figures, name="callback_figures"),
]
