"""Account recovery pages outside the console (issue 15): the prefecture desk's identity check
(/agents/tickets/recoveries/), the old address's "stop it" link (/contact/recovery-stop/…) and the
person's confirmation in their space (/portal/tickets/recovery/)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.permissions import can_use_back_office, can_use_portal, requires
from applications.views.agent_common import service_attempt
from support import services
from support.enums import PersonalDataScope
from support.recovery import recovery_get_by_stop_token, recovery_stoppable
from support.selectors import (
    recovery_awaiting_confirmation,
    recovery_get_for_desk,
    recovery_hold_until,
)
from support.views.forms import DeskCheckForm


@requires(can_use_back_office)
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def desk_check(request: HttpRequest) -> HttpResponse:
    """The person came to the desk with their papers and the reference the contact centre gave
    them: the agent finds the recovery, compares the papers with the identity shown, and records
    what they saw (their name goes to the audit log and the ticket)."""
    data = request.POST if request.method == "POST" else request.GET
    reference = data.get("reference", "")
    recovery = recovery_get_for_desk(reference)
    form = DeskCheckForm(request.POST or None, initial={"reference": reference})
    if request.method == "POST" and recovery is not None and form.is_valid():
        done = service_attempt(
            request,
            lambda: services.recovery_desk_check_record(
                recovery=recovery,
                actor=request.user,
                document_kind=form.cleaned_data["document_kind"],
                note=form.cleaned_data["note"],
            ),
            _("Identity check recorded: a contact-centre supervisor will now decide."),
        )
        if done:
            return redirect("support_backoffice:recovery_desk_check")
    if recovery is not None:
        services.personal_data_access_record(
            viewer=request.user,
            person=recovery.person,
            ticket=recovery.ticket,
            scope=PersonalDataScope.IDENTITY,
        )
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and recovery is None:
        messages.error(request, _("No recovery waiting for a desk check has this reference."))
    return render(
        request,
        "support/backoffice/recovery_desk_check.html",
        {
            "reference": reference,
            "recovery": recovery,
            "profile": getattr(recovery.person, "applicant_profile", None) if recovery else None,
            "form": form,
            "searched": bool(reference),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to the OLD address. GET only shows a button (mail scanners follow links);
    POST locks the account and opens a ticket."""
    recovery = recovery_get_by_stop_token(token)
    if (
        request.method == "POST"
        and recovery is not None
        and service_attempt(request, lambda: services.recovery_stop(token=token))
    ):
        return render(request, "support/public/recovery_stop.html", {"stopped": True})
    return render(
        request,
        "support/public/recovery_stop.html",
        {"stoppable": recovery is not None and recovery_stoppable(recovery), "stopped": False},
        status=200 if recovery is not None else 404,
    )


@requires(can_use_portal)
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    """ "Confirm that you asked for this recovery": recorded for the contact centre; the hold on
    documents and new share codes stays until its end (a thief would confirm too)."""
    if request.method == "POST":
        service_attempt(
            request,
            lambda: services.recovery_person_confirm(person=request.user),
            _("Thank you: your confirmation was recorded."),
        )
        return redirect("support_portal:recovery_confirm")
    return render(
        request,
        "support/portal/recovery_confirm.html",
        {
            "recovery": recovery_awaiting_confirmation(request.user),
            "held_until": recovery_hold_until(request.user),
        },
    )
