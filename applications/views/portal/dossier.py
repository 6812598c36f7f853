"""The dossier page and what the person does on it: add and remove files, submit, withdraw,
answer a request for corrections, report an error in the record. Dossiers are read only
through `application_list_visible_to`, so another person's dossier is a 404."""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.enums import Role
from accounts.permissions import can_use_portal, is_helper, requires
from anef import step_failures, uploads
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.deadlines import application_deadlines
from applications.enums import ApplicationStatus, CorrectionStatus
from applications.hooks import portal_dossier_panels
from applications.models import Application
from applications.permissions import get_abilities
from applications.selectors import application_checklist, application_list_visible_to
from applications.services import (
    application_submit,
    application_withdraw,
    correction_answer,
    document_add,
    document_remove,
    error_report_create,
)
from applications.timeline import status_summary, timeline_entries
from applications.views.portal._common import TEMPLATES, _is_xhr, _transition_refused
from applications.views.portal_forms import (
    CorrectionAnswerForm,
    DocumentUploadForm,
    ErrorReportForm,
)
from applications.workflow import TransitionNotAllowed


def _application_get(request: HttpRequest, reference: str) -> Application:
    return get_object_or_404(
        application_list_visible_to(request.user).select_related(
            "renews_permit__ground", "decision_reason"
        ),
        reference=reference,
    )


def _detail_url(application: Application, anchor: str = "") -> str:
    url = reverse("portal:application_detail", kwargs={"reference": application.reference})
    return f"{url}#{anchor}" if anchor else url


def _actor_label(request: HttpRequest, event) -> str:
    """Who did it, as the applicant should read it (an agent's name is not shown)."""
    if event.actor_id is not None and event.actor_id == request.user.pk:
        return _("You")
    if event.actor_role == Role.HELPER and event.actor is not None:
        return _("%(name)s, helper") % {"name": event.actor.get_full_name() or event.actor.email}
    if event.actor_role == Role.PREFECTURE_AGENT:
        return _("The prefecture")
    if event.actor_role == Role.CONTACT_CENTRE_AGENT:
        return _("The contact centre")
    return ""


def _detail_context(request: HttpRequest, application: Application, **forms) -> dict:
    checklist = application_checklist(application)
    upload_form = forms.get("upload_form")
    upload_code = forms.get("upload_code", "")
    pieces = []
    for item in checklist:
        code = item.requirement.document_type.code
        form = (
            upload_form
            if upload_form is not None and code == upload_code
            else DocumentUploadForm(auto_id=f"id_{code}_%s")
        )
        pieces.append({"item": item, "code": code, "form": form})
    correction = (
        application.correction_requests.filter(status=CorrectionStatus.OPEN)
        .prefetch_related("document_types")
        .first()
    )
    error_anchor = ""
    if upload_form is not None and upload_form.errors:
        error_anchor = upload_form.auto_id % "files"
    elif forms.get("correction_form") is not None and forms["correction_form"].errors:
        error_anchor = "correction"
    elif forms.get("report_form") is not None and forms["report_form"].errors:
        error_anchor = "reports"
    events = application.events.select_related("actor")
    timeline = [
        (event, text, _actor_label(request, event)) for event, text in timeline_entries(events)
    ]
    return {
        "application": application,
        "summary": status_summary(application.status),
        "abilities": get_abilities(request.user, application),
        # A helper reads whose dossier this is (they act under that person's mandate).
        "dossier_person": application.applicant if is_helper(request.user) else None,
        "pieces": pieces,
        "missing": [item.requirement.document_type for item in checklist if not item.satisfied],
        "correction": correction,
        "correction_form": _or_default(forms.get("correction_form"), CorrectionAnswerForm),
        "report_form": _or_default(
            forms.get("report_form"), lambda: ErrorReportForm(auto_id="id_report_%s")
        ),
        "reports": application.error_reports.prefetch_related("evidence"),
        "show_decision": application.status
        in (ApplicationStatus.UNFAVOURABLE, ApplicationStatus.CLOSED)
        and application.decision_reason is not None,
        "timeline": timeline,
        "error_anchor": error_anchor,
        "deadlines": application_deadlines(application),  # issue 18: every deadline a date
        # Other apps' blocks (its current attestations, what to do when the renewal is at risk).
        **portal_dossier_panels.context(request.user, application),
    }


def _or_default(form, factory: Callable):
    return form if form is not None else factory()


def _render_detail(request: HttpRequest, application: Application, **forms) -> HttpResponse:
    return render(
        request, TEMPLATES + "detail.html", _detail_context(request, application, **forms)
    )


@requires(can_use_portal)
@require_http_methods(["GET"])
def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _render_detail(request, _application_get(request, reference))


@requires(can_use_portal)
@require_POST
def document_upload(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    """Several files for one piece, each through `document_add`; a refused file is named and
    does not stop the others. With JavaScript (static/js/upload.js) the answer is JSON and the
    page reloads to show the messages."""
    application = _application_get(request, reference)
    item = next(
        (i for i in application_checklist(application) if i.requirement.document_type.code == code),
        None,
    )
    if item is None:
        raise Http404
    form = DocumentUploadForm(request.POST, request.FILES, auto_id=f"id_{code}_%s")
    added: list[str] = []
    errors: list[str] = []
    if form.is_valid():
        batch = uploads.Batch(expected=len(form.cleaned_data["files"]))  # limits per request
        for uploaded_file in form.cleaned_data["files"]:
            try:
                document_add(
                    application=application,
                    document_type=item.requirement.document_type,
                    uploaded_file=uploaded_file,
                    actor=request.user,
                    batch=batch,
                )
            except DomainError as error:
                errors.append(str(error.message))
            else:
                added.append(uploaded_file.name)
    else:
        errors = [str(error) for error in form.errors["files"]]
    if errors:  # substitution counts the failures and offers another way in (issue 6)
        step_failures.announce(sender=Application, step="upload", user=request.user, code=code)
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)d file added to « %(piece)s »: %(names)s.",
                "%(count)d files added to « %(piece)s »: %(names)s.",
                len(added),
            )
            % {
                "count": len(added),
                "piece": item.requirement.document_type.label,
                "names": ", ".join(added),
            },
        )
    if _is_xhr(request):
        for error in errors:
            messages.error(request, error)
        return JsonResponse({"added": added, "errors": errors}, status=400 if errors else 200)
    if errors:
        if form.is_valid():
            for error in errors:
                form.add_error("files", error)
        return _render_detail(request, application, upload_form=form, upload_code=code)
    return redirect(_detail_url(application, f"piece-{code}"))


@requires(can_use_portal)
@require_POST
def document_delete(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    application = _application_get(request, reference)
    document = get_object_or_404(
        application.documents.filter(error_report__isnull=True).select_related("document_type"),
        pk=pk,
    )
    try:
        document_remove(document=document, actor=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(
            request, _("The file « %(name)s » was removed.") % {"name": document.original_name}
        )
    return redirect(_detail_url(application, f"piece-{document.document_type.code}"))


@requires(can_use_portal)
@require_POST
def application_submit_view(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_get(request, reference)
    try:
        application_submit(application=application, actor=request.user)
    except DomainError as error:
        show_refusal(request, error)
        step_failures.announce(  # issue 6
            sender=Application, step="submission", user=request.user, code=error.code
        )
    except TransitionNotAllowed:
        _transition_refused(request)
    else:
        messages.success(
            request,
            _(
                "Your application was sent to the prefecture. You received a deposit receipt: "
                "it proves the date of your application."
            ),
        )
    return redirect(_detail_url(application))


@requires(can_use_portal)
@require_http_methods(["GET", "POST"])
def application_withdraw_view(request: HttpRequest, reference: str) -> HttpResponse:
    """A confirmation page first: withdrawing cannot be undone."""
    application = _application_get(request, reference)
    if request.method == "POST":
        try:
            application_withdraw(application=application, actor=request.user)
        except DomainError as error:
            show_refusal(request, error)
        except TransitionNotAllowed:
            _transition_refused(request)
        else:
            messages.success(request, _("Your application was withdrawn."))
        return redirect(_detail_url(application))
    if not get_abilities(request.user, application)["withdraw"]:
        _transition_refused(request)
        return redirect(_detail_url(application))
    return render(request, TEMPLATES + "withdraw_confirm.html", {"application": application})


@requires(can_use_portal)
@require_POST
def correction_answer_view(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_get(request, reference)
    form = CorrectionAnswerForm(request.POST)
    if form.is_valid():
        try:
            correction_answer(
                application=application, actor=request.user, answer=form.cleaned_data["answer"]
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        except TransitionNotAllowed:
            _transition_refused(request)
            return redirect(_detail_url(application))
        else:
            messages.success(
                request,
                _("Your answer was sent. The prefecture will check your application again."),
            )
            return redirect(_detail_url(application))
    return _render_detail(request, application, correction_form=form)


_REPORT_ERROR_FIELDS = {"category": "category", "description_required": "description"}


@requires(can_use_portal)
@require_POST
def error_report_view(request: HttpRequest, reference: str) -> HttpResponse:
    """The person says the record is wrong, with proof (DESIGN.md §7 scenario 2)."""
    application = _application_get(request, reference)
    form = ErrorReportForm(request.POST, request.FILES, auto_id="id_report_%s")
    if form.is_valid():
        try:
            error_report_create(
                application=application,
                actor=request.user,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                evidence=form.cleaned_data["evidence"],
            )
        except DomainError as error:
            field = "evidence" if "name" in error.params else _REPORT_ERROR_FIELDS.get(error.code)
            show_refusal(request, error, form=form, field=field)
        else:
            messages.success(
                request,
                _(
                    "Your report was sent. An agent of the prefecture will check it and answer "
                    "here."
                ),
            )
            return redirect(_detail_url(application, "reports"))
    return _render_detail(request, application, report_form=form)
