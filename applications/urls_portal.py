from django.urls import path

from applications.views import portal

app_name = "portal"

urlpatterns = [
    path("", portal.home, name="home"),
]
