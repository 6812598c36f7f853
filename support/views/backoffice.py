"""Tickets sent to a prefecture, in its back office (/agents/tickets/).

An agent sees only the tickets the contact centre sent to their own prefecture (another
prefecture's ticket is a 404), reads the whole thread with its internal notes, answers the
person in the same thread, or adds a note for the contact centre.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import can_use_back_office, requires
from applications.views.agent_common import service_attempt
from support import services
from support.enums import TicketStatus
from support.models import Ticket
from support.permissions import get_abilities
from support.selectors import ticket_list_for_prefecture, ticket_thread_staff
from support.views.forms import NoteForm, ReplyForm


@requires(can_use_back_office)
@require_safe
def ticket_list(request: HttpRequest) -> HttpResponse:
    tickets = list(ticket_list_for_prefecture(request.user).order_by("-escalated_to_prefecture_at"))
    return render(
        request,
        "support/backoffice/list.html",
        {
            "waiting": [t for t in tickets if t.status == TicketStatus.ESCALATED],
            "others": [t for t in tickets if t.status != TicketStatus.ESCALATED],
        },
    )


def _ticket(request: HttpRequest, number: str) -> Ticket:
    return get_object_or_404(ticket_list_for_prefecture(request.user), number=number)


def _render(request, ticket, reply_form=None, note_form=None, status=200) -> HttpResponse:
    return render(
        request,
        "support/backoffice/detail.html",
        {
            "ticket": ticket,
            "abilities": get_abilities(request.user, ticket),
            "thread": ticket_thread_staff(ticket),
            "reply_form": reply_form or ReplyForm(),
            "note_form": note_form or NoteForm(),
        },
        status=status,
    )


@requires(can_use_back_office)
@never_cache
@require_safe
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render(request, _ticket(request, number))


@requires(can_use_back_office)
@require_POST
def ticket_reply(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _render(request, ticket, reply_form=form, status=400)
    service_attempt(
        request,
        lambda: services.ticket_reply_from_prefecture(
            ticket=ticket, actor=request.user, body=form.cleaned_data["message"]
        ),
        _("Your answer was sent to the person."),
    )
    return redirect("support_backoffice:detail", number=ticket.number)


@requires(can_use_back_office)
@require_POST
def ticket_note(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render(request, ticket, note_form=form, status=400)
    service_attempt(
        request,
        lambda: services.ticket_note_add(
            ticket=ticket, actor=request.user, body=form.cleaned_data["note"]
        ),
        _("Internal note added for the contact centre."),
    )
    return redirect("support_backoffice:detail", number=ticket.number)
