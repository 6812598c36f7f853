from django.urls import path

from support.views import backoffice, recovery

app_name = "support_backoffice"

urlpatterns = [
    path("", backoffice.ticket_list, name="list"),
    path("recoveries/", recovery.desk_check, name="recovery_desk_check"),
    path("<str:number>/", backoffice.ticket_detail, name="detail"),
    path("<str:number>/reply/", backoffice.ticket_reply, name="reply"),
    path("<str:number>/note/", backoffice.ticket_note, name="note"),
]
