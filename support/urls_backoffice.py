from django.urls import path

from support.views import backoffice

app_name = "support_backoffice"

urlpatterns = [
    path("", backoffice.ticket_list, name="list"),
    path("<str:number>/", backoffice.ticket_detail, name="detail"),
    path("<str:number>/reply/", backoffice.ticket_reply, name="reply"),
    path("<str:number>/note/", backoffice.ticket_note, name="note"),
]
