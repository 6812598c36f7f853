"""The contact-centre ticket console (/support/): queues with figures, the ticket page and its
actions, phone tickets and saved answers.

Every action is one POST calling one service (support.services); when it refuses, the reason is
shown and nothing changes. Every display of a person's record (identity, dossier statuses and
dates, never a document) is logged in PersonalDataAccess, which the person sees.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import (
    can_use_support_console,
    is_contact_centre_supervisor,
    requires,
)
from anef.errors import DomainError
from anef.page_cache import console_queue, page_cached
from anef.page_errors import show_refusal
from support import services
from support.enums import (
    PersonalDataScope,
    TicketCategory,
    TicketChannel,
    TicketPriority,
    TicketStatus,
)
from support.models import AccountRecovery, SavedAnswer, Ticket
from support.permissions import can_decide_recovery, can_edit_saved_answers, get_abilities
from support.selectors import (
    STATUS_COLUMNS,
    attachment_get_staff,
    contact_centre_agents,
    person_record,
    queue_figures,
    recovery_list_for_ticket,
    recovery_queue,
    saved_answer_list,
    ticket_list_for_console,
    ticket_queue,
    ticket_thread_staff,
)
from support.views import attempt, file_response, uploads
from support.views.forms import (
    AssignForm,
    ConsoleFilterForm,
    EscalateForm,
    NoteForm,
    PhoneTicketForm,
    RecoveryFactsForm,
    RecoveryRefuseForm,
    RecoveryRequestForm,
    ReplyForm,
    SavedAnswerForm,
    TechnicalImpossibilityForm,
)

QUEUE_PAGE_SIZE = 25
# Labels once per process (lazy: translated when shown), not `get_FOO_display` per row and field.
_LABELS = {
    "status": dict(TicketStatus.choices),
    "category": dict(TicketCategory.choices),
    "channel": dict(TicketChannel.choices),
    "priority": dict(TicketPriority.choices),
}
# The columns the console's list shows, and nothing else (a ticket row holds its whole history).
QUEUE_COLUMNS = (
    "number",
    "channel",
    "category",
    "status",
    "priority",
    "name",
    "email",
    "phone",
    "first_response_due_at",
    "first_responded_at",
    "resolution_due_at",
    "resolved_at",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
)


class ConsoleRow(NamedTuple):
    """One ticket of the list, and whether it is late."""

    ticket: Ticket
    late: bool

    def _label(self, field: str):
        value = getattr(self.ticket, field)
        return _LABELS[field].get(value, value)

    @property
    def status_label(self):
        return self._label("status")

    @property
    def category_label(self):
        return self._label("category")

    @property
    def channel_label(self):
        return self._label("channel")

    @property
    def priority_label(self):
        return self._label("priority")


@requires(can_use_support_console)
@require_safe
@page_cached(depends_on=console_queue, query=("status", "category", "assignee", "overdue", "page"))
def home(request: HttpRequest) -> HttpResponse:
    """Queues by subject and status, with their figures; the filtered list of tickets."""
    now = timezone.now()
    form = ConsoleFilterForm(request.GET or None)
    figures = queue_figures(now)
    tickets = ticket_queue(request.user, form.filters(), now)
    # Only the assignee is shown: no join to the prefecture, no column the list does not show.
    tickets = tickets.select_related(None).select_related("assignee").only(*QUEUE_COLUMNS)
    paginator = Paginator(tickets, QUEUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "support/console/home.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [
                ConsoleRow(
                    ticket, ticket.first_response_overdue(now) or ticket.resolution_overdue(now)
                )
                for ticket in page
            ],
            "figures": figures,
            # Each figure's count per status column (None: no such ticket), in the columns'
            # order: one loop in the template, not a search of the counts per cell.
            "figure_rows": [
                (figure, [(status, figure.by_status.get(status)) for status, _ in STATUS_COLUMNS])
                for figure in figures
            ],
            "status_columns": STATUS_COLUMNS,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "ellipsis": paginator.ELLIPSIS,
        },
    )


def _ticket(request: HttpRequest, number: str) -> Ticket:
    return get_object_or_404(
        ticket_list_for_console(request.user).select_related(
            "application__prefecture",
            "application__ground",
            "person",
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


def _saved_answer_initial(request: HttpRequest) -> dict[str, str]:
    """`?answer=<pk>&language=fr|en` puts a saved answer in the reply box, to adapt."""
    pk = request.GET.get("answer", "")
    answer = saved_answer_list().filter(pk=int(pk)).first() if pk.isdigit() else None
    if answer is None:
        return {}
    body = answer.body_en if request.GET.get("language") == "en" else answer.body_fr
    return {"message": body}


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
        "record": record,
        "first_response_overdue": ticket.first_response_overdue(now),
        "resolution_overdue": ticket.resolution_overdue(now),
        "saved_answers": list(saved_answer_list()),
        "reply_form": bound.get("reply") or ReplyForm(initial=_saved_answer_initial(request)),
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
    attempt(request, lambda: call(ticket, data), success)
    return redirect(_detail_url(ticket))


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


def _facts_message(outcome: str, reference: str) -> tuple[int, str]:
    """What the console says after a comparison: never which fact did not match."""
    if outcome == "matched":
        return messages.SUCCESS, _(
            "The facts match the record. A supervisor other than you must now approve the "
            "recovery %(reference)s; nothing changes until then."
        ) % {"reference": reference}
    if outcome == "too_many_attempts":
        return messages.ERROR, _(
            "Too many facts that did not match the record: the person must go to a prefecture "
            "desk with their papers and the reference %(reference)s."
        ) % {"reference": reference}
    return messages.WARNING, _(
        "The facts given do not match the record, or cannot be checked by phone. Check what "
        "you typed, or send the person to a prefecture desk with their papers and the "
        "reference %(reference)s."
    ) % {"reference": reference}


def _recovery_act(request: HttpRequest, number: str, form_name: str, form_class, call):
    """A recovery action: validate, call the service, say the outcome, back to the ticket."""
    ticket = _ticket(request, number)
    form = form_class(request.POST)
    if not form.is_valid():
        return render(
            request,
            "support/console/ticket_detail.html",
            _detail_context(request, ticket, {form_name: form}),
            status=400,
        )
    try:
        level, text = call(ticket, form.cleaned_data)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.add_message(request, level, text)
    return redirect(_detail_url(ticket))


def _recovery(ticket: Ticket, reference: str) -> AccountRecovery:
    return get_object_or_404(AccountRecovery, ticket=ticket, reference=reference)


@requires(can_use_support_console)
@require_POST
def recovery_request(request: HttpRequest, number: str) -> HttpResponse:
    def call(ticket, data):
        recovery, outcome = services.recovery_request(
            ticket=ticket,
            actor=request.user,
            person=data["account"],
            new_email=data["new_email"],
            birth_date=data["birth_date"],
            postal_code=data["postal_code"],
            foreigner_number=data["foreigner_number"],
        )
        return _facts_message(outcome, recovery.reference)

    return _recovery_act(request, number, "recovery", RecoveryRequestForm, call)


@requires(can_use_support_console)
@require_POST
def recovery_facts(request: HttpRequest, number: str, reference: str) -> HttpResponse:
    def call(ticket, data):
        recovery = _recovery(ticket, reference)
        outcome = services.recovery_facts_check(
            recovery=recovery,
            actor=request.user,
            birth_date=data["birth_date"],
            postal_code=data["postal_code"],
            foreigner_number=data["foreigner_number"],
        )
        return _facts_message(outcome, recovery.reference)

    return _recovery_act(request, number, "facts", RecoveryFactsForm, call)


@requires(is_contact_centre_supervisor)
@require_POST
def recovery_approve(request: HttpRequest, number: str, reference: str) -> HttpResponse:
    def call(ticket, data):
        services.recovery_approve(recovery=_recovery(ticket, reference), actor=request.user)
        return messages.SUCCESS, _(
            "Recovery approved: the e-mail address was changed, the old address was told how "
            "to stop it and the new one received a link to choose a password."
        )

    return _recovery_act(request, number, "approve", forms.Form, call)


@requires(is_contact_centre_supervisor)
@require_POST
def recovery_refuse(request: HttpRequest, number: str, reference: str) -> HttpResponse:
    def call(ticket, data):
        services.recovery_refuse(
            recovery=_recovery(ticket, reference), actor=request.user, reason=data["reason"]
        )
        return messages.SUCCESS, _("Recovery refused: nothing was changed.")

    return _recovery_act(request, number, "refuse", RecoveryRefuseForm, call)


@requires(is_contact_centre_supervisor)
@never_cache
@require_safe
def recoveries(request: HttpRequest) -> HttpResponse:
    """The supervisors' queue of recoveries waiting."""
    return render(
        request,
        "support/console/recoveries.html",
        {"recoveries": list(recovery_queue()), "now": timezone.now()},
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


@requires(can_use_support_console)
@never_cache
@require_safe
def ticket_attachment(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    attachment = attachment_get_staff(_ticket(request, number), pk)
    if attachment is None:
        raise Http404
    return file_response(attachment)


@requires(can_use_support_console)
@require_http_methods(["GET", "HEAD", "POST"])
def phone_ticket_new(request: HttpRequest) -> HttpResponse:
    """Record a phone call as a ticket (channel « phone »)."""
    form = PhoneTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created: dict[str, Ticket] = {}
        if attempt(
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


# --- Saved answers ------------------------------------------------------------------------------


@requires(can_use_support_console)
@require_safe
def saved_answers(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "support/console/saved_answers.html",
        {
            "answers": list(saved_answer_list(active_only=False)),
            "can_edit": can_edit_saved_answers(request.user),
        },
    )


@requires(can_edit_saved_answers)
@require_http_methods(["GET", "HEAD", "POST"])
def saved_answer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Supervisors write and correct saved answers (permission support.supervise_contact_centre)."""
    answer = get_object_or_404(SavedAnswer, pk=pk) if pk is not None else None
    form = SavedAnswerForm(request.POST or None, instance=answer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            request,
            lambda: services.saved_answer_save(
                actor=request.user,
                answer=answer,
                title=data["title"],
                category=data["category"],
                body_fr=data["body_fr"],
                body_en=data["body_en"],
                active=data["active"],
            ),
            _("The saved answer was saved."),
        ):
            return redirect("support_console:saved_answers")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/console/saved_answer_form.html",
        {"form": form, "answer": answer},
        status=status,
    )
