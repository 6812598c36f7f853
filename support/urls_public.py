from django.urls import path

from support.views import callbacks, public, recovery

app_name = "support_public"

urlpatterns = [
    path("", public.contact, name="contact"),
    path("follow/<str:token>/", public.follow_up, name="follow_up"),
    path("follow/<str:token>/callback/", callbacks.public_callback, name="follow_up_callback"),
    path("recovery-stop/<str:token>/", recovery.stop, name="recovery_stop"),
    path(
        "follow/<str:token>/acknowledgement.pdf",
        public.follow_up_acknowledgement,
        name="follow_up_acknowledgement",
    ),
    path(
        "follow/<str:token>/attachments/<int:pk>/",
        public.follow_up_attachment,
        name="follow_up_attachment",
    ),
]
