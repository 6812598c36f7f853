from django.urls import path

from accounts.views import common

app_name = "accounts"

urlpatterns = [
    path("", common.role_home, name="home"),
]
