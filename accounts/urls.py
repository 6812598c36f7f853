from django.urls import path

from accounts.views import common, contact

app_name = "accounts"

urlpatterns = [
    path("", common.role_home, name="home"),
    # Issue 21: e-mail, text messages or both.
    path("contact/", contact.contact_preferences, name="contact"),
    path("contact/phone/", contact.phone_verification, name="phone_verify"),
]
