"""The back office records how and when a decision reached the person (issue 18): a letter's
acknowledgement of receipt, a handover at the desk. The online channel records itself when the
decision is taken (applications/services/notification.py). After a refusal, the agent can also
record whether it comes with an obligation to leave France, which decides whether the person is
given a date before which to challenge it."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import can_use_back_office, requires
from anef.errors import DomainError
from applications import services
from applications.permissions import get_abilities
from applications.selectors import application_list_visible_to
from applications.views.backoffice_forms import NotificationRecordForm, ObligationToLeaveForm


@requires(can_use_back_office)
@require_POST
def application_record_notification(request: HttpRequest, reference: str) -> HttpResponse:
    application = get_object_or_404(application_list_visible_to(request.user), reference=reference)
    url = reverse("backoffice:application_detail", args=[application.reference]) + "#notification"
    if not get_abilities(request.user, application)["record_notification"]:
        messages.error(request, _("No decision to record a notification for."))
        return redirect(url)
    form = NotificationRecordForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("The notification was not recorded: choose how and give a valid day.")
        )
        return redirect(url)
    try:
        services.application_record_notification(
            application=application,
            actor=request.user,
            channel=form.cleaned_data["channel"],
            notified_on=form.cleaned_data["notified_on"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The notification is recorded: the person sees the dates of their remedies.")
        )
    return redirect(url)


@requires(can_use_back_office)
@require_POST
def application_record_obligation_to_leave(request: HttpRequest, reference: str) -> HttpResponse:
    application = get_object_or_404(application_list_visible_to(request.user), reference=reference)
    url = reverse("backoffice:application_detail", args=[application.reference]) + "#notification"
    if not get_abilities(request.user, application)["record_obligation_to_leave"]:
        messages.error(request, _("Only a refusal can come with an obligation to leave France."))
        return redirect(url)
    form = ObligationToLeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was recorded: answer yes or no."))
        return redirect(url)
    try:
        services.application_record_obligation_to_leave(
            application=application,
            actor=request.user,
            obligation_to_leave=form.cleaned_data["obligation_to_leave"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Recorded: the person sees what it means for the time limits of their remedies."),
        )
    return redirect(url)
