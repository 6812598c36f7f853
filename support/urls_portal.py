from django.urls import path

from support.views import callbacks, portal, recovery

app_name = "support_portal"

urlpatterns = [
    path("", portal.ticket_list, name="list"),
    path("new/", portal.ticket_new, name="new"),
    path("recovery/", recovery.confirm, name="recovery_confirm"),
    path("<str:number>/", portal.ticket_detail, name="detail"),
    path("<str:number>/callback/", callbacks.portal_callback, name="callback"),
    path("<str:number>/attachments/<int:pk>/", portal.ticket_attachment, name="attachment"),
]
