from django.urls import path

from support.views import console

app_name = "support_console"

urlpatterns = [
    path("", console.home, name="home"),
]
