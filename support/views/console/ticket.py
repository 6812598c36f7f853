"""The ticket page: the ticket, its thread, its forms, and the person's record (identity and
dossier statuses, never a document: each display logged in PersonalDataAccess); its
attachments; and `_act`, the frame of every action posted from it."""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.permissions import can_use_support_console, requires
from applications.views.agent_common import service_attempt
from support import services
from support.enums import PersonalDataScope
from support.models import Ticket
from support.permissions import can_decide_recovery, get_abilities
from support.selectors import (
    attachment_get_staff,
    contact_centre_agents,
    person_record,
    recovery_list_for_ticket,
    saved_answer_list,
    ticket_list_for_console,
    ticket_thread_staff,
)
from support.views import file_response
from support.views.forms import (
    AssignForm,
    EscalateForm,
    NoteForm,
    RecoveryFactsForm,
    RecoveryRefuseForm,
    RecoveryRequestForm,
    ReplyForm,
    TechnicalImpossibilityForm,
)


def _ticket(request: HttpRequest, number: str) -> Ticket:
    return get_object_or_404(
        ticket_list_for_console(request.user).select_related(
            "application__prefecture",
            "application__ground",
            "person",
            "requester",
            "acknowledgement",
            "substitution_case",
            "opened_by",
        ),
        number=number,
    )


def _detail_url(ticket: Ticket) -> str:
    return reverse("support_console:ticket_detail", args=[ticket.number])


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = name.strip().partition(" ")
    return (first, last) if last else ("", first)


def _saved_answer_initial(request: HttpRequest, ticket: Ticket) -> dict[str, str]:
    """`?answer=<pk>` puts a saved answer in the reply box, to adapt: the variant in the
    ticket's language (or `&language=fr|en|ar`), French when that one is not written."""
    pk = request.GET.get("answer", "")
    answer = saved_answer_list().filter(pk=int(pk)).first() if pk.isdigit() else None
    if answer is None:
        return {}
    return {"message": answer.variant(request.GET.get("language") or ticket.language).text}


def _detail_context(
    request: HttpRequest, ticket: Ticket, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    bound = bound or {}
    record = None
    if ticket.person is not None:
        record = person_record(ticket.person)
        services.personal_data_access_record(
            viewer=request.user,
            person=ticket.person,
            ticket=ticket,
            scope=PersonalDataScope.DOSSIERS,
        )
    first_name, last_name = (
        (ticket.person.first_name, ticket.person.last_name)
        if ticket.person is not None and ticket.person.last_name
        else _split_name(ticket.name)
    )
    now = timezone.now()
    return {
        "ticket": ticket,
        "abilities": get_abilities(request.user, ticket),
        "thread": ticket_thread_staff(ticket),
        "events": list(ticket.events.select_related("actor")),
        # Issue 21: the callbacks booked on this ticket, oldest slot first (one query).
        "callbacks": list(ticket.callbacks.all()),
        "record": record,
        "first_response_overdue": ticket.first_response_overdue(now),
        "resolution_overdue": ticket.resolution_overdue(now),
        "ticket_language": ticket.language,
        "saved_answers": [
            (answer, answer.variant(ticket.language)) for answer in saved_answer_list()
        ],
        "reply_form": bound.get("reply")
        or ReplyForm(initial=_saved_answer_initial(request, ticket)),
        "note_form": bound.get("note") or NoteForm(),
        "assign_form": bound.get("assign") or AssignForm(agents=contact_centre_agents()),
        "escalate_form": bound.get("escalate") or EscalateForm(),
        "impossibility_form": bound.get("impossibility")
        or TechnicalImpossibilityForm(initial={"first_name": first_name, "last_name": last_name}),
        "recovery_form": bound.get("recovery")
        or RecoveryRequestForm(initial={"account": ticket.email or ticket.foreigner_number}),
        "facts_form": bound.get("facts") or RecoveryFactsForm(),
        "refuse_form": bound.get("refuse") or RecoveryRefuseForm(),
        "recoveries": [
            (recovery, can_decide_recovery(request.user, recovery), recovery.is_expired(now))
            for recovery in recovery_list_for_ticket(ticket)
        ],
    }


@requires(can_use_support_console)
@never_cache
@require_safe
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    return render(request, "support/console/ticket_detail.html", _detail_context(request, ticket))


def _act(
    request: HttpRequest,
    number: str,
    *,
    form_name: str | None = None,
    form_class=None,
    form_kwargs: dict | None = None,
    call: Callable[..., Any],
    success: str,
) -> HttpResponse:
    """One action: validate its form (if any), call the service, come back to the ticket."""
    ticket = _ticket(request, number)
    data: dict[str, Any] = {}
    if form_class is not None:
        form = form_class(request.POST, request.FILES, **(form_kwargs or {}))
        if not form.is_valid():
            return render(
                request,
                "support/console/ticket_detail.html",
                _detail_context(request, ticket, {form_name: form}),
                status=400,
            )
        data = form.cleaned_data
    service_attempt(request, lambda: call(ticket, data), success)
    return redirect(_detail_url(ticket))


@requires(can_use_support_console)
@never_cache
@require_safe
def ticket_attachment(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    attachment = attachment_get_staff(_ticket(request, number), pk)
    if attachment is None:
        raise Http404
    return file_response(attachment)
