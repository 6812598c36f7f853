"""Account recovery with four eyes (issue 15), from the ticket page: an agent compares the facts
the person gives with the record (never saying which one did not match), a supervisor other
than that agent approves or refuses; the supervisors' queue of recoveries waiting."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import can_use_support_console, is_contact_centre_supervisor, requires
from anef.errors import DomainError
from anef.page_errors import show_refusal
from support import services
from support.models import AccountRecovery, Ticket
from support.selectors import recovery_queue
from support.views.console.ticket import _detail_context, _detail_url, _ticket
from support.views.forms import RecoveryFactsForm, RecoveryRefuseForm, RecoveryRequestForm


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
