"""A phone call recorded as a ticket (channel « phone »)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import can_use_support_console, requires
from applications.views.agent_common import service_attempt
from support import services
from support.models import Ticket
from support.views.console.ticket import _detail_url
from support.views.forms import PhoneTicketForm


@requires(can_use_support_console)
@require_http_methods(["GET", "HEAD", "POST"])
def phone_ticket_new(request: HttpRequest) -> HttpResponse:
    """Record a phone call as a ticket (channel « phone »)."""
    form = PhoneTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created: dict[str, Ticket] = {}
        if service_attempt(
            request,
            lambda: created.setdefault(
                "ticket",
                services.ticket_open_by_phone(
                    actor=request.user,
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    foreigner_number=data["foreigner_number"],
                    category=data["category"],
                    body=data["message"],
                )[0],
            ),
            _("The call was recorded."),
        ):
            return redirect(_detail_url(created["ticket"]))
    status = 400 if request.method == "POST" else 200
    return render(request, "support/console/phone_new.html", {"form": form}, status=status)
