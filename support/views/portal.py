"""The portal side (/portal/tickets/, /me/consultations/): a signed-in applicant or helper opens
tickets, optionally about one of the dossiers they may see, reads the public thread and answers;
an applicant sees who at the contact centre looked at their record.

Tickets are read only through `ticket_list_for_requester(request.user)`: another person's ticket
is a 404.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.permissions import can_use_portal, requires
from applications.selectors import application_list_visible_to
from applications.views.agent_common import service_attempt
from support import services
from support.enums import PUBLIC_EVENT_KINDS
from support.models import Ticket
from support.selectors import (
    attachment_get_public,
    personal_data_access_list,
    ticket_list_for_requester,
    ticket_thread_public,
)
from support.views import file_response, uploads
from support.views.forms import PortalTicketForm, ReplyForm
from support.workflow import allowed_actions


@requires(can_use_portal)
@require_safe
def ticket_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "support/portal/list.html",
        {"tickets": list(ticket_list_for_requester(request.user).order_by("-created_at"))},
    )


@requires(can_use_portal)
@require_http_methods(["GET", "HEAD", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    applications = application_list_visible_to(request.user).order_by("-created_at")
    if request.method != "POST":
        initial = {}
        if reference := request.GET.get("application"):
            initial["application"] = applications.filter(reference=reference).first()
        form = PortalTicketForm(applications=applications, initial=initial)
        return render(request, "support/portal/new.html", {"form": form})
    form = PortalTicketForm(request.POST, request.FILES, applications=applications)
    created = {}
    if form.is_valid() and service_attempt(
        request,
        lambda: created.setdefault(
            "ticket",
            services.ticket_open_from_portal(
                actor=request.user,
                category=form.cleaned_data["category"],
                body=form.cleaned_data["message"],
                application=form.cleaned_data["application"],
                attachments=uploads(request.FILES, "screenshot"),
            )[0],
        ),
        _("Your request was sent. We answer within two working days."),
    ):
        return redirect("support_portal:detail", number=created["ticket"].number)
    return render(request, "support/portal/new.html", {"form": form}, status=400)


def _own_ticket(request: HttpRequest, number: str) -> Ticket:
    return get_object_or_404(ticket_list_for_requester(request.user), number=number)


@requires(can_use_portal)
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _own_ticket(request, number)
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid() and service_attempt(
            request,
            lambda: services.ticket_reply_from_requester(
                ticket=ticket,
                actor=request.user,
                body=form.cleaned_data["message"],
                attachments=uploads(request.FILES, "attachment"),
            ),
            _("Your message was sent."),
        ):
            return redirect(request.path)
        status = 400
    return render(
        request,
        "support/portal/detail.html",
        {
            "ticket": ticket,
            "thread": ticket_thread_public(ticket),
            "events": [e for e in ticket.events.all() if e.kind in PUBLIC_EVENT_KINDS],
            "form": form,
            "can_reply": "requester_reply" in allowed_actions(ticket.status),
            "acknowledgement_is_mine": ticket.acknowledgement is not None
            and ticket.acknowledgement.holder_id == request.user.pk,
        },
        status=status,
    )


@requires(can_use_portal)
@never_cache
@require_safe
def ticket_attachment(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    attachment = attachment_get_public(_own_ticket(request, number), pk)
    if attachment is None:
        raise Http404
    return file_response(attachment)


@requires(can_use_portal)
@require_safe
def consultations(request: HttpRequest) -> HttpResponse:
    """Who at the contact centre looked at my record, when, and about which request."""
    return render(
        request,
        "support/portal/consultations.html",
        {"accesses": list(personal_data_access_list(request.user)[:200])},
    )
