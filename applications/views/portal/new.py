"""Starting a dossier, guided: the ground (with its conditions and checklist), the procedure,
and for a renewal or a change of status the card held (`application_create`)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.permissions import can_use_portal, requires
from accounts.selectors import applicant_profile_get
from accounts.views.acting import ground_in_scope
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.models import ResidencePermit
from applications.selectors import ground_list_offered, permit_list_held_by
from applications.services import application_create, application_create_renewal
from applications.views.portal._common import TEMPLATES, applicant_only
from applications.views.portal_forms import (
    PROCEDURE_EXPLANATIONS,
    ChangeOfStatusForm,
    ProcedureChoiceForm,
    RenewalForm,
)
from reference.enums import ProcedureKind
from reference.models import Ground


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
    copies = []
    try:
        if kind == ProcedureKind.RENEWAL:
            # Prefilled from the last dossier: its files still valid are copied (issue 16).
            application, copies = application_create_renewal(
                applicant=request.portal_subject,
                ground=ground,
                actor=request.user,
                renews_permit=renews_permit,
                **options,
            )
        else:
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
    if copies:
        messages.info(
            request,
            ngettext(
                "We copied %(count)s document still valid from your last application: "
                "%(documents)s. Check it, and add only what is missing.",
                "We copied %(count)s documents still valid from your last application: "
                "%(documents)s. Check them, and add only what is missing.",
                len(copies),
            )
            % {
                "count": len(copies),
                "documents": ", ".join(
                    dict.fromkeys(str(copy.document_type.label) for copy in copies)
                ),
            },
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
