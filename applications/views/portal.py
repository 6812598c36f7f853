"""The applicant portal (applicants, and helpers acting under a mandate): dashboard, guided new
application, dossier page, declared permits.

Dossiers are read only through `application_list_visible_to(request.user)`, so another person's
dossier is a 404. Every change calls one service of `applications.services`; its refusal
(`DomainError`) is shown to the person as it is, in plain language.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.enums import Role
from accounts.permissions import can_use_portal, is_helper, requires
from accounts.selectors import applicant_profile_get
from accounts.views.acting import for_a_person, ground_in_scope
from anef import step_failures, uploads
from anef.errors import DomainError
from anef.page_cache import page_cached, person_pages
from anef.page_errors import show_refusal
from applications.deadlines import application_deadlines
from applications.enums import ApplicationStatus, CorrectionStatus
from applications.hooks import portal_dossier_panels, portal_home_panels, portal_person_panels
from applications.models import Application, ResidencePermit
from applications.permissions import get_abilities
from applications.selectors import (
    application_checklist,
    application_list_visible_to,
    ground_list_offered,
    permit_list_held_by,
    prefecture_for_postal_code,
)
from applications.services import (
    application_create,
    application_submit,
    application_withdraw,
    correction_answer,
    document_add,
    document_remove,
    error_report_create,
    permit_declare,
)
from applications.timeline import status_summary, timeline_entries
from applications.views.portal_forms import (
    PROCEDURE_EXPLANATIONS,
    ChangeOfStatusForm,
    CorrectionAnswerForm,
    DocumentUploadForm,
    ErrorReportForm,
    PermitDeclareForm,
    ProcedureChoiceForm,
    RenewalForm,
)
from applications.workflow import TransitionNotAllowed
from reference.enums import ProcedureKind
from reference.models import Ground

TEMPLATES = "applications/portal/"


# Starting a dossier or declaring a card is for the person, or for a helper who chose to act
# for them under a mandate in force (issue 6): `request.portal_subject` is that person.
applicant_only = for_a_person


def _is_xhr(request: HttpRequest) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest"


def safe_next_url(request: HttpRequest) -> str:
    """The `next` page to return to, if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _transition_refused(request: HttpRequest) -> None:
    messages.error(
        request,
        _("This is not possible any more: your application has moved on. Read its status below."),
    )


# --- Dashboard ----------------------------------------------------------------------------------


@requires(can_use_portal)
@for_a_person
@require_http_methods(["GET"])
@page_cached(depends_on=person_pages)
def home(request: HttpRequest) -> HttpResponse:
    """The person's space: identity, applications with where each stands, how to start one.
    A helper sees here the space of the person they act for."""
    subject = request.portal_subject
    profile = applicant_profile_get(user=subject)
    prefecture = prefecture_for_postal_code(profile.postal_code) if profile else None
    applications = (
        application_list_visible_to(request.user)
        .filter(applicant=subject)
        .select_related("renews_permit__ground")
        .order_by("-created_at")
    )
    rows = [(application, status_summary(application.status)) for application in applications]
    return render(
        request,
        TEMPLATES + "home.html",
        {
            "profile": profile,
            "prefecture": prefecture,
            "rows": rows,
            "is_helper": is_helper(request.user),
            # Other apps' blocks (the current attestations, a renewal at risk): applications.hooks.
            **portal_home_panels.context(request.user, applications),
            **portal_person_panels.context(request.user, subject),
        },
    )


# --- New application, guided -------------------------------------------------------------------


def _procedure_labels(kinds) -> list[str]:
    labels = dict(ProcedureKind.choices)
    return [str(labels[kind]) for kind in kinds if kind in labels]


def _ground_entry(ground: Ground) -> dict:
    """A ground with the names of its procedures and its checklist, for the templates."""
    return {
        "ground": ground,
        "procedures": _procedure_labels(ground.procedure_kinds),
        "requirements": [
            (requirement, _procedure_labels(requirement.procedure_kinds))
            for requirement in ground.requirements.all()
        ],
    }


@requires(can_use_portal)
@applicant_only
@require_http_methods(["GET"])
def application_new(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the ground, seeing its conditions, card, rights and checklist first."""
    grounds = [
        _ground_entry(ground)
        for ground in ground_list_offered()
        if ground_in_scope(request, ground)
    ]
    return render(
        request,
        TEMPLATES + "new_ground.html",
        {"grounds": grounds, "profile": applicant_profile_get(user=request.portal_subject)},
    )


def _offered_ground(request: HttpRequest, code: str) -> Ground:
    """A ground offered, and within the mandate's scope for a helper (else not found)."""
    ground = get_object_or_404(ground_list_offered(), code=code)
    if not ground_in_scope(request, ground):
        raise Http404
    return ground


def _create(
    request: HttpRequest,
    *,
    ground: Ground,
    kind: str,
    form,
    template: str,
    context: dict,
    renews_permit: ResidencePermit | None = None,
    requested_card: str | None = None,
) -> HttpResponse:
    """Call `application_create`; on refusal, show its message (and the existing dossier)."""
    options = {"requested_card": requested_card} if requested_card else {}
    try:
        application = application_create(
            applicant=request.portal_subject,
            ground=ground,
            kind=kind,
            actor=request.user,
            renews_permit=renews_permit,
            **options,
        )
    except DomainError as error:
        show_refusal(request, error, form=form)
        context.update(
            error_code=error.code,
            duplicate_reference=error.params.get("reference", ""),
        )
        return render(request, template, context)
    messages.success(
        request,
        _("Your application %(reference)s is started. Add your documents, then submit it.")
        % {"reference": application.reference},
    )
    return redirect("portal:application_detail", reference=application.reference)


@requires(can_use_portal)
@applicant_only
@require_http_methods(["GET", "POST"])
def application_new_procedure(request: HttpRequest, ground_code: str) -> HttpResponse:
    """Step 2: choose the procedure among those the ground offers, each explained."""
    ground = _offered_ground(request, ground_code)
    form = ProcedureChoiceForm(request.POST or None, ground=ground)
    context = {
        **_ground_entry(ground),
        "form": form,
        "error_code": "",
        "duplicate_reference": "",
        "profile": applicant_profile_get(user=request.portal_subject),
    }
    template = TEMPLATES + "new_procedure.html"
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        if kind == ProcedureKind.RENEWAL:
            return redirect("portal:application_new_renewal", ground_code=ground.code)
        if kind == ProcedureKind.CHANGE_OF_STATUS:
            return redirect("portal:application_new_change_of_status", ground_code=ground.code)
        return _create(
            request, ground=ground, kind=kind, form=form, template=template, context=context
        )
    return render(request, template, context)


def _new_continuing_a_card(
    request: HttpRequest, ground_code: str, *, kind: str, form_class, template: str
) -> HttpResponse:
    """Step 3 of a procedure that continues a card held (a renewal, or a change of status):
    the card, among those declared; for a renewal, the card asked for too. Filed in time and
    complete, both continue that card with attestations (one chain per card)."""
    ground = _offered_ground(request, ground_code)
    if not ground.offers(kind):
        raise Http404
    permits = permit_list_held_by(request.portal_subject)
    # « Renew now » (applications.reminders) names the card: chosen already, still changeable.
    form = form_class(
        request.POST or None, permits=permits, initial={"permit": request.GET.get("permit")}
    )
    context = {
        "ground": ground,
        "form": form,
        "has_permits": permits.exists(),
        "error_code": "",
        "duplicate_reference": "",
        "explanation": PROCEDURE_EXPLANATIONS[kind],
    }
    template = TEMPLATES + template
    if request.method == "POST" and form.is_valid():
        return _create(
            request,
            ground=ground,
            kind=kind,
            form=form,
            template=template,
            context=context,
            renews_permit=form.cleaned_data["permit"],
            requested_card=form.cleaned_data.get("requested_card"),
        )
    return render(request, template, context)


@requires(can_use_portal)
@applicant_only
@require_http_methods(["GET", "POST"])
def application_new_renewal(request: HttpRequest, ground_code: str) -> HttpResponse:
    """Step 3 of a renewal: the card renewed and the card asked for."""
    return _new_continuing_a_card(
        request,
        ground_code,
        kind=ProcedureKind.RENEWAL,
        form_class=RenewalForm,
        template="new_renewal.html",
    )


@requires(can_use_portal)
@applicant_only
@require_http_methods(["GET", "POST"])
def application_new_change_of_status(request: HttpRequest, ground_code: str) -> HttpResponse:
    """Step 3 of a change of status: the card held now."""
    return _new_continuing_a_card(
        request,
        ground_code,
        kind=ProcedureKind.CHANGE_OF_STATUS,
        form_class=ChangeOfStatusForm,
        template="new_change_of_status.html",
    )


# --- The dossier --------------------------------------------------------------------------------


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


# --- Permits held -------------------------------------------------------------------------------


@requires(can_use_portal)
@for_a_person
@require_http_methods(["GET"])
def permit_list(request: HttpRequest) -> HttpResponse:
    permits = permit_list_held_by(request.portal_subject)
    return render(request, TEMPLATES + "permits.html", {"permits": permits})


@requires(can_use_portal)
@applicant_only
@require_http_methods(["GET", "POST"])
def permit_new(request: HttpRequest) -> HttpResponse:
    """Declare a card held, so that a renewal can name it (`permit_declare`)."""
    form = PermitDeclareForm(request.POST or None, grounds=ground_list_offered())
    next_url = safe_next_url(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            permit = permit_declare(
                holder=request.portal_subject,
                actor=request.user,
                number=data["number"],
                card_type=data["card_type"],
                ground=data["ground"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                handed_over=data["handed_over"],
                handed_over_on=data["handed_over_on"],
            )
        except DomainError as error:
            field = {"permit_dates": "valid_until", "permit_duplicate": "number"}.get(error.code)
            show_refusal(request, error, form=form, field=field)
        else:
            messages.success(
                request, _("Your card %(number)s is recorded.") % {"number": permit.number}
            )
            return redirect(next_url or "portal:permits")
    return render(request, TEMPLATES + "permit_form.html", {"form": form, "next": next_url})
