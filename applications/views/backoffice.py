"""The prefecture back office (/agents/): agents see their own prefecture only."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import can_use_back_office, requires


@requires(can_use_back_office)
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "applications/backoffice/home.html", {"prefecture": request.user.prefecture}
    )
