"""The public side: the contact form (no account) and the private follow-up link.

The follow-up link gives access to its own ticket only: its secret is looked up by hash, a wrong
or another ticket's secret is a 404. The page shows the public thread (never an internal note),
lets the person answer, and offers the written acknowledgement's PDF once one is issued.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.views.agent_common import service_attempt
from support import services
from support.emails import follow_up_url
from support.enums import PUBLIC_EVENT_KINDS, TicketCategory
from support.models import Ticket
from support.selectors import (
    attachment_get_public,
    ticket_get_by_token,
    ticket_thread_public,
)
from support.throttling import client_ip, contact_allowed
from support.views import file_response, uploads
from support.views.forms import HONEYPOT_FIELD, ContactForm, ReplyForm
from support.workflow import allowed_actions


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """Write to the contact centre without an account."""
    if request.method != "POST":
        # `?category=accessibility` (the accessibility statement's link) preselects the subject.
        category = request.GET.get("category", "")
        initial = {"category": category} if category in TicketCategory.values else {}
        return render(
            request, "support/public/contact.html", {"form": ContactForm(initial=initial)}
        )
    form = ContactForm(request.POST, request.FILES)
    if (request.POST.get(HONEYPOT_FIELD) or "").strip():
        form.add_error(
            None,
            _(
                "Your message was not sent: the field « Leave this field empty » must stay "
                "empty. Empty it and send again, or call us."
            ),
        )
        return render(request, "support/public/contact.html", {"form": form}, status=400)
    if not form.is_valid():
        return render(request, "support/public/contact.html", {"form": form}, status=400)
    if not contact_allowed(ip=client_ip(request), email=form.cleaned_data["email"]):
        form.add_error(
            None,
            _(
                "You have sent many messages in a short time. Please wait one hour before "
                "writing again, or call us: a person will answer."
            ),
        )
        return render(request, "support/public/contact.html", {"form": form}, status=429)
    data = form.cleaned_data
    try:
        ticket, token = services.ticket_open_from_contact_form(
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            foreigner_number=data["foreigner_number"],
            postal_code=data["postal_code"],
            category=data["category"],
            body=data["message"],
            attachments=uploads(request.FILES, "screenshot"),
        )
    except DomainError as error:
        show_refusal(request, error, form=form)
        return render(request, "support/public/contact.html", {"form": form}, status=400)
    link = request.build_absolute_uri(reverse("support_public:follow_up", args=[token]))
    return render(request, "support/public/contact_done.html", {"ticket": ticket, "link": link})


def _ticket(token: str) -> Ticket:
    ticket = ticket_get_by_token(token)
    if ticket is None:
        raise Http404
    return ticket


def _public_events(ticket: Ticket):
    return [event for event in ticket.events.all() if event.kind in PUBLIC_EVENT_KINDS]


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up(request: HttpRequest, token: str) -> HttpResponse:
    """The person's private page for one ticket: thread, answer, acknowledgement."""
    ticket = _ticket(token)
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid() and service_attempt(
            request,
            lambda: services.ticket_reply_from_requester(
                ticket=ticket,
                body=form.cleaned_data["message"],
                attachments=uploads(request.FILES, "attachment"),
            ),
            _("Your message was sent."),
        ):
            return redirect(request.path)
        status = 400
    return render(
        request,
        "support/public/follow_up.html",
        {
            "ticket": ticket,
            "thread": ticket_thread_public(ticket),
            "events": _public_events(ticket),
            "form": form,
            "can_reply": "requester_reply" in allowed_actions(ticket.status),
            "token": token,
            "link": follow_up_url(ticket),
        },
        status=status,
    )


@never_cache
@require_safe
def follow_up_acknowledgement(request: HttpRequest, token: str) -> HttpResponse:
    """The written acknowledgement's PDF, behind the private link (never in an e-mail)."""
    from attestations.pdf import attestation_pdf_render

    ticket = _ticket(token)
    if ticket.acknowledgement is None:
        raise Http404
    response = HttpResponse(
        attestation_pdf_render(ticket.acknowledgement), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{ticket.acknowledgement.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_safe
def follow_up_attachment(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    attachment = attachment_get_public(_ticket(token), pk)
    if attachment is None:
        raise Http404
    return file_response(attachment)
