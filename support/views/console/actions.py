"""What an agent does on a ticket: take, assign, reply, note, escalate to a prefecture,
resolve / close / reopen, confirm a technical impossibility, send a password link. Each is
one POST calling one service (`support.services`) through `ticket._act`."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import can_use_support_console, requires
from support import services
from support.selectors import contact_centre_agents
from support.views import uploads
from support.views.console.ticket import _act
from support.views.forms import (
    AssignForm,
    EscalateForm,
    NoteForm,
    ReplyForm,
    TechnicalImpossibilityForm,
)


@requires(can_use_support_console)
@require_POST
def ticket_take(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        call=lambda ticket, data: services.ticket_take(ticket=ticket, actor=request.user),
        success=_("You took this ticket."),
    )


@requires(can_use_support_console)
@require_POST
def ticket_assign(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        form_name="assign",
        form_class=AssignForm,
        form_kwargs={"agents": contact_centre_agents()},
        call=lambda ticket, data: services.ticket_assign(
            ticket=ticket, assignee=data["assignee"], actor=request.user
        ),
        success=_("The ticket was assigned."),
    )


@requires(can_use_support_console)
@require_POST
def ticket_reply(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        form_name="reply",
        form_class=ReplyForm,
        call=lambda ticket, data: services.ticket_reply(
            ticket=ticket,
            actor=request.user,
            body=data["message"],
            attachments=uploads(request.FILES, "attachment"),
        ),
        success=_("Your answer was sent to the person."),
    )


@requires(can_use_support_console)
@require_POST
def ticket_note(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        form_name="note",
        form_class=NoteForm,
        call=lambda ticket, data: services.ticket_note_add(
            ticket=ticket, actor=request.user, body=data["note"]
        ),
        success=_("Internal note added (the person does not see it)."),
    )


@requires(can_use_support_console)
@require_POST
def ticket_escalate(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        form_name="escalate",
        form_class=EscalateForm,
        call=lambda ticket, data: services.ticket_escalate_to_prefecture(
            ticket=ticket, actor=request.user, note=data["note"], prefecture=data["prefecture"]
        ),
        success=_("The ticket was sent to the prefecture."),
    )


@requires(can_use_support_console)
@require_POST
def ticket_status(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Resolve, close or reopen."""
    calls = {
        "resolve": (services.ticket_resolve, _("The ticket is resolved.")),
        "close": (services.ticket_close, _("The ticket is closed.")),
        "reopen": (services.ticket_reopen, _("The ticket is open again.")),
    }
    if action not in calls:
        raise Http404
    service, success = calls[action]
    return _act(
        request,
        number,
        call=lambda ticket, data: service(ticket=ticket, actor=request.user),
        success=success,
    )


@requires(can_use_support_console)
@require_POST
def ticket_confirm_technical_impossibility(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        form_name="impossibility",
        form_class=TechnicalImpossibilityForm,
        call=lambda ticket, data: services.ticket_confirm_technical_impossibility(
            ticket=ticket,
            actor=request.user,
            blocking_description=data["blocking_description"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            prefecture=data["prefecture"],
        ),
        success=_(
            "Technical impossibility confirmed: the written acknowledgement is issued, the "
            "substitution case is open and the person is told what happens next."
        ),
    )


@requires(can_use_support_console)
@require_POST
def account_password_reset(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        call=lambda ticket, data: services.account_password_reset_send(
            ticket=ticket, actor=request.user
        ),
        success=_("A link to choose a new password was sent to the account's address."),
    )
