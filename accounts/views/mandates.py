"""Mandates in the portal (issue 6): "My helpers" for the person (give, confirm, revoke, print
the revocation receipt) and "People I help" for the helper (ask, record a signed form, choose
whom to act for). Each write is one call to `accounts.mandates`; its refusals (`MandateError`)
are shown as they are. A mandate is looked up only among the person's or the helper's own:
anyone else's is a 404.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.mandate_forms import MandateGrantForm, MandateRecordForm, MandateRequestForm
from accounts.mandates import (
    MandateError,
    mandate_confirm,
    mandate_grant,
    mandate_list_given,
    mandate_list_held,
    mandate_person_create,
    mandate_record_signed,
    mandate_request,
    mandate_revoke,
)
from accounts.models import Mandate
from accounts.permissions import is_applicant, is_helper, requires
from accounts.views.acting import acting_for_start, acting_for_stop
from anef import uploads

TEMPLATES = "accounts/mandates/"


def _rows(mandates) -> list[tuple[Mandate, str]]:
    today = timezone.localdate()
    return [(mandate, mandate.status_on(today)) for mandate in mandates]


# --- The person: "My helpers" -------------------------------------------------------------------


@requires(is_applicant)
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """The mandates the person gave, and the form to give one."""
    form = MandateGrantForm(request.POST or None, auto_id="id_grant_%s")
    if request.method == "POST" and form.is_valid():
        try:
            mandate = mandate_grant(person=request.user, **form.mandate_kwargs())
        except MandateError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(helper)s can now act for you, until %(end)s. You can revoke it at any time.")
                % {
                    "helper": mandate.helper.get_full_name() or mandate.helper.email,
                    "end": mandate.ends_on.strftime("%d/%m/%Y"),
                },
            )
            return redirect("mandates:mine")
    return render(
        request,
        TEMPLATES + "mine.html",
        {"rows": _rows(mandate_list_given(request.user)), "form": form},
    )


def _given(request: HttpRequest, pk: int) -> Mandate:
    return get_object_or_404(mandate_list_given(request.user), pk=pk)


@requires(is_applicant)
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = _given(request, pk)
    try:
        mandate_confirm(mandate=mandate, person=request.user)
    except MandateError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You confirmed the mandate. The helper can now act for you."))
    return redirect("mandates:mine")


@requires(is_applicant)
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page, then the revocation and its printable receipt."""
    mandate = _given(request, pk)
    if request.method == "POST":
        try:
            mandate_revoke(mandate=mandate, person=request.user)
        except MandateError as error:
            messages.error(request, error.message)
            return redirect("mandates:mine")
        messages.success(
            request, _("The mandate is revoked. The helper can no longer act for you.")
        )
        return redirect("mandates:receipt", pk=mandate.pk)
    if mandate.revoked_at is not None:
        return redirect("mandates:receipt", pk=mandate.pk)
    return render(request, TEMPLATES + "revoke_confirm.html", {"mandate": mandate})


@requires(is_applicant)
@require_GET
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable receipt of a revocation (print CSS in the template)."""
    mandate = _given(request, pk)
    if mandate.revoked_at is None:
        raise Http404
    return render(request, TEMPLATES + "receipt.html", {"mandate": mandate})


@never_cache
@require_GET
def consent_file(request: HttpRequest, pk: int) -> FileResponse:
    """The scanned signed form: only to the person and the helper of the mandate."""
    if not (is_applicant(request.user) or is_helper(request.user)):
        raise Http404
    mandates = (
        mandate_list_given(request.user)
        if is_applicant(request.user)
        else mandate_list_held(request.user)
    )
    mandate = get_object_or_404(mandates.exclude(consent_file=""), pk=pk)
    response = FileResponse(
        mandate.consent_file.open("rb"),
        content_type=uploads.served_type(mandate.consent_content_type),
        as_attachment=True,
        filename=uploads.display_name("signed-form", mandate.consent_content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- The helper: "People I help" ----------------------------------------------------------------


@requires(is_helper)
@require_GET
def helping(request: HttpRequest) -> HttpResponse:
    """The people who gave a mandate, each with its scope, its end and whether it is in force."""
    return render(
        request, TEMPLATES + "helping.html", {"rows": _rows(mandate_list_held(request.user))}
    )


@requires(is_helper)
@require_http_methods(["GET", "POST"])
def request_view(request: HttpRequest) -> HttpResponse:
    """Ask a person who has an account; the person confirms from their account."""
    form = MandateRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mandate_request(
                helper=request.user,
                person_email=form.cleaned_data["person_email"],
                **form.mandate_kwargs(),
            )
        except MandateError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Your request is sent. The person confirms it from their account, in "
                    "« My helpers »; then you can act for them."
                ),
            )
            return redirect("mandates:helping")
    return render(request, TEMPLATES + "request.html", {"form": form})


@requires(is_helper)
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest) -> HttpResponse:
    """Record a mandate signed on paper, opening the person's account if they have none."""
    form = MandateRecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = mandate_person_create(
                helper=request.user,
                email=data["person_email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
            mandate = mandate_record_signed(
                helper=request.user,
                person=person,
                consent_file=data["consent_file"],
                **form.mandate_kwargs(),
            )
        except MandateError as error:
            field = "consent_file" if error.code == "consent_file" else None
            form.add_error(field, error.message)
        else:
            messages.success(
                request,
                _("The mandate of %(name)s is recorded, until %(end)s.")
                % {
                    "name": person.get_full_name() or person.email,
                    "end": mandate.ends_on.strftime("%d/%m/%Y"),
                },
            )
            return redirect("mandates:helping")
    return render(request, TEMPLATES + "record.html", {"form": form})


@requires(is_helper)
@require_POST
def act_for(request: HttpRequest, person_id: int) -> HttpResponse:
    """Choose the person to act for: only someone whose mandate is in force today."""
    mandate = acting_for_start(request, person_id)
    if mandate is None:
        raise Http404
    return redirect("portal:home")


@requires(is_helper)
@require_POST
def stop_acting(request: HttpRequest) -> HttpResponse:
    acting_for_stop(request)
    return redirect("mandates:helping")
