from django.urls import path

from applications.views import backoffice

app_name = "backoffice"

urlpatterns = [
    path("", backoffice.home, name="home"),
]
