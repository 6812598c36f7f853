"""The contact-centre ticket console (/support/)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import can_use_support_console, requires


@requires(can_use_support_console)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "support/console/home.html")
