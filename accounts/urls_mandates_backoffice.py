"""Mandates in the agents' back office, mounted at /agents/mandates/ (namespace
`mandates_backoffice`): the identity check that puts a signed-form mandate in force."""

from django.urls import path

from accounts.views import mandates

app_name = "mandates_backoffice"

urlpatterns = [
    path("", mandates.checks, name="checks"),
    path("<int:pk>/check/", mandates.check, name="check"),
]
