"""The prefecture back office (/agents/): the queue of the agent's prefecture, the dossier page
and the instruction actions.

Dossiers are only read through the scoped selectors, so another prefecture's dossier is a 404.
They are only changed through `applications.services`: each action is one POST calling one
service, and when the service refuses (`DomainError`, `TransitionNotAllowed`) its reason is
shown to the agent and nothing changes. Which buttons show comes from `get_abilities`.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import ApplicantProfile
from accounts.permissions import can_use_back_office, requires
from accounts.selectors import applicant_profile_get
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications import services
from applications.consultations import consulted
from applications.enums import ApplicationStatus
from applications.hooks import backoffice_dossier_panels
from applications.models import Application, ErrorReport
from applications.permissions import AGENT_ACTIONS, get_abilities
from applications.selectors import (
    application_checklist,
    application_list_visible_to,
    application_other_open,
    permit_list_held_by,
)
from applications.views.backoffice_forms import (
    CardHandedOverForm,
    CorrectionRequestForm,
    DecisionReasonChooseForm,
    ErrorReportAcceptForm,
    ErrorReportRejectForm,
    FavourableDecisionForm,
    ForeignerNumberForm,
    NotificationRecordForm,
    ObligationToLeaveForm,
    ReasonedDecisionForm,
)
from applications.workbench.selectors import agent_timeline, workbench_panel
from applications.workflow import TransitionNotAllowed, allowed_actions
from reference.enums import DecisionKind

# --- Helpers -------------------------------------------------------------------------------------


def _profile_of(user) -> ApplicantProfile | None:
    """The person's identity record, already loaded by `select_related`, or None."""
    try:
        return user.applicant_profile
    except ObjectDoesNotExist:
        return None


def _application_get(request: HttpRequest, reference: str) -> Application:
    """The dossier if it belongs to the agent's prefecture; otherwise a 404."""
    return get_object_or_404(
        application_list_visible_to(request.user).select_related(
            "renews_permit__ground", "decision_reason"
        ),
        reference=reference,
    )


def _detail_url(application: Application) -> str:
    return reverse("backoffice:application_detail", args=[application.reference])


def _attempt(request: HttpRequest, call: Callable[[], Any], success: str) -> bool:
    """Run one service; on refusal, tell the agent why in plain words. True if it went through.

    The service runs in its own transaction: when it raises, everything it did is rolled back.
    """
    try:
        call()
    except DomainError as error:
        show_refusal(request, error)
        return False
    except TransitionNotAllowed as error:
        messages.error(
            request,
            _(
                "This action is not possible while the application is « %(status)s ». "
                "The page below shows its current state."
            )
            % {"status": ApplicationStatus(error.status).label},
        )
        return False
    messages.success(request, success)
    return True


# --- Dossier page --------------------------------------------------------------------------------


def _dossier_context(
    request: HttpRequest, application: Application, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Everything the agent reads before acting; `bound` replaces a form that failed."""
    bound = bound or {}
    profile = applicant_profile_get(user=application.applicant)
    checklist = application_checklist(application)
    can_reopen = "reopen" in allowed_actions(application.status)
    reports = list(
        application.error_reports.select_related("reported_by", "resolved_by").prefetch_related(
            "evidence__document_type"
        )
    )
    report_forms = [
        (
            report,
            bound.get(f"accept-{report.pk}")
            or ErrorReportAcceptForm(report=report, can_reopen=can_reopen),
            bound.get(f"reject-{report.pk}") or ErrorReportRejectForm(report=report),
        )
        for report in reports
    ]
    abilities = get_abilities(request.user, application)
    return {
        "application": application,
        "abilities": abilities,
        "any_action": any(abilities[action] for action in AGENT_ACTIONS),
        "profile": profile,
        "previous_addresses": list(profile.previous_addresses.all()) if profile else [],
        "permits": list(permit_list_held_by(application.applicant)),
        "checklist": checklist,
        "missing": [item for item in checklist if not item.satisfied],
        "other_open": list(application_other_open(application).order_by("filed_at", "pk")),
        "correction_requests": list(
            application.correction_requests.select_related("requested_by").prefetch_related(
                "document_types"
            )
        ),
        "report_forms": report_forms,
        # Its events and the agent-side ones (assignment, notes: issue 20), for agents only.
        "timeline": agent_timeline(application),
        "workbench": workbench_panel(request.user, application),
        "correction_form": (
            bound.get("correction") or CorrectionRequestForm(application=application)
        ),
        "favourable_form": bound.get("favourable") or FavourableDecisionForm(),
        "handover_form": bound.get("handover") or CardHandedOverForm(),
        "notification_form": NotificationRecordForm(  # issue 18
            initial={
                "channel": application.notification_channel,
                "notified_on": application.notified_on,
            }
        ),
        "obligation_to_leave_form": ObligationToLeaveForm.for_decision(application),  # issue 18
        "foreigner_number_form": bound.get("foreigner_number") or ForeignerNumberForm(),
        # Other apps' blocks (its attestations, its risk if any, the "issue now" button).
        **backoffice_dossier_panels.context(request.user, application),
    }


def _dossier_response(
    request: HttpRequest, application: Application, bound: dict[str, Any] | None = None
) -> HttpResponse:
    return render(
        request,
        "applications/backoffice/application_detail.html",
        _dossier_context(request, application, bound),
    )


@requires(can_use_back_office)
@require_safe
def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_get(request, reference)
    # The person sees who opened their dossier (/me/consultations/, issue 8).
    consulted(viewer=request.user, application=application)
    return _dossier_response(request, application)


# --- Actions without input -----------------------------------------------------------------------


@requires(can_use_back_office)
@require_POST
def application_mark_complete(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_get(request, reference)
    _attempt(
        request,
        lambda: services.application_mark_complete(application=application, actor=request.user),
        _("The application is marked complete."),
    )
    return redirect(_detail_url(application))


@requires(can_use_back_office)
@require_POST
def application_record_card_available(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_get(request, reference)
    _attempt(
        request,
        lambda: services.application_record_card_available(
            application=application, actor=request.user
        ),
        _("The card is recorded as ready: the person is told to come and collect it."),
    )
    return redirect(_detail_url(application))


# --- Actions with a form -------------------------------------------------------------------------


@requires(can_use_back_office)
@require_POST
def application_request_correction(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_get(request, reference)
    form = CorrectionRequestForm(request.POST, application=application)
    if not form.is_valid():
        messages.error(request, _("The correction request was not sent: check the form below."))
    elif _attempt(
        request,
        lambda: services.correction_request_create(
            application=application,
            actor=request.user,
            message=form.cleaned_data["message"],
            deadline=form.cleaned_data["deadline"],
            document_types=list(form.cleaned_data["document_types"]),
        ),
        _("The correction request was sent to the person."),
    ):
        return redirect(_detail_url(application))
    return _dossier_response(request, application, {"correction": form})


@requires(can_use_back_office)
@require_POST
def application_decide_favourable(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_get(request, reference)
    form = FavourableDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("The decision was not recorded: tick the box to confirm it first.")
        )
    elif _attempt(
        request,
        lambda: services.application_decide_favourable(
            application=application,
            actor=request.user,
            notification_channel=form.cleaned_data["notification_channel"],
        ),
        _("The favourable decision is recorded. The person is told in their timeline."),
    ):
        return redirect(_detail_url(application))
    return _dossier_response(request, application, {"favourable": form})


@requires(can_use_back_office)
@require_POST
def application_record_card_handed_over(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_get(request, reference)
    form = CardHandedOverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The handover was not recorded: check the form below."))
    elif _attempt(
        request,
        lambda: services.application_record_card_handed_over(
            application=application, actor=request.user, **form.cleaned_data
        ),
        _("The handover is recorded: the card is now among the permits the person holds."),
    ):
        return redirect(_detail_url(application))
    return _dossier_response(request, application, {"handover": form})


@requires(can_use_back_office)
@require_POST
def foreigner_number_attach(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_get(request, reference)
    form = ForeignerNumberForm(request.POST)
    profile = applicant_profile_get(user=application.applicant)
    if profile is None:
        messages.error(
            request,
            _("This person has no identity record yet: the foreigner number cannot be attached."),
        )
    elif not form.is_valid():
        messages.error(request, _("The foreigner number was not attached: check the form below."))
    elif _attempt(
        request,
        lambda: services.foreigner_number_attach(
            profile=profile, number=form.cleaned_data["number"], actor=request.user
        ),
        _("The foreigner number is attached to the person."),
    ):
        return redirect(_detail_url(application))
    return _dossier_response(request, application, {"foreigner_number": form})


# --- Refusal and closure: a page of their own, with the reasons ----------------------------------

_REASONED_DECISIONS = {
    DecisionKind.REFUSAL: {
        "action": "decide_unfavourable",
        "service": services.application_decide_unfavourable,
        "template": "applications/backoffice/application_refuse.html",
    },
    DecisionKind.CLOSURE: {
        "action": "close",
        "service": services.application_close,
        "template": "applications/backoffice/application_close.html",
    },
}


def _reasoned_decision(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    """GET: the form, pre-filled from the reason chosen (`?reason=<code>`); POST: decide."""
    decision = _REASONED_DECISIONS[kind]
    application = _application_get(request, reference)
    if request.method == "POST":
        form = ReasonedDecisionForm(request.POST, kind=kind)
        chooser = DecisionReasonChooseForm(kind=kind, initial={"reason": form.data.get("reason")})
        if not form.is_valid():
            messages.error(
                request,
                _(
                    "The decision was not recorded: a reason, an explanation, the legal basis "
                    "and the remedies are all required."
                ),
            )
        elif _attempt(
            request,
            lambda: decision["service"](
                application=application, actor=request.user, **form.cleaned_data
            ),
            _("The decision is recorded. The person sees its reasons and remedies."),
        ):
            return redirect(_detail_url(application))
    else:
        chooser = DecisionReasonChooseForm(request.GET or None, kind=kind)
        reason = chooser.cleaned_data["reason"] if chooser.is_bound and chooser.is_valid() else None
        form = ReasonedDecisionForm(
            kind=kind,
            initial=ReasonedDecisionForm.initial_for(reason, application.ground),
        )
    return render(
        request,
        decision["template"],
        {
            "application": application,
            "allowed": get_abilities(request.user, application)[decision["action"]],
            "profile": applicant_profile_get(user=application.applicant),
            "other_open": list(application_other_open(application).order_by("filed_at", "pk")),
            "chooser": chooser,
            "form": form,
        },
    )


@requires(can_use_back_office)
@require_http_methods(["GET", "POST"])
def application_refuse(request: HttpRequest, reference: str) -> HttpResponse:
    return _reasoned_decision(request, reference, DecisionKind.REFUSAL)


@requires(can_use_back_office)
@require_http_methods(["GET", "POST"])
def application_close(request: HttpRequest, reference: str) -> HttpResponse:
    return _reasoned_decision(request, reference, DecisionKind.CLOSURE)


# --- Error reports -------------------------------------------------------------------------------


def _report_get(application: Application, report_pk: int) -> ErrorReport:
    return get_object_or_404(application.error_reports.all(), pk=report_pk)


@requires(can_use_back_office)
@require_POST
def error_report_accept(request: HttpRequest, reference: str, report_pk: int) -> HttpResponse:
    application = _application_get(request, reference)
    report = _report_get(application, report_pk)
    form = ErrorReportAcceptForm(
        request.POST,
        report=report,
        can_reopen="reopen" in allowed_actions(application.status),
    )
    if not form.is_valid():
        messages.error(request, _("The report was not answered: check the form below."))
    elif _attempt(
        request,
        lambda: services.error_report_accept(
            report=report,
            actor=request.user,
            note=form.cleaned_data["note"],
            handed_over_on=form.cleaned_data.get("handed_over_on"),
            reopen=form.cleaned_data.get("reopen", False),
        ),
        _("The error report is accepted and the record corrected."),
    ):
        return redirect(_detail_url(application))
    return _dossier_response(request, application, {f"accept-{report.pk}": form})


@requires(can_use_back_office)
@require_POST
def error_report_reject(request: HttpRequest, reference: str, report_pk: int) -> HttpResponse:
    application = _application_get(request, reference)
    report = _report_get(application, report_pk)
    form = ErrorReportRejectForm(request.POST, report=report)
    if not form.is_valid():
        messages.error(request, _("The report was not rejected: say why it is rejected."))
    elif _attempt(
        request,
        lambda: services.error_report_reject(
            report=report, actor=request.user, note=form.cleaned_data["note"]
        ),
        _("The error report is rejected; the person sees your answer."),
    ):
        return redirect(_detail_url(application))
    return _dossier_response(request, application, {f"reject-{report.pk}": form})
