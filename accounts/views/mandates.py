"""Mandates in the portal (issue 6): "My helpers" for the person (give, confirm, revoke, print
the revocation receipt) and "People I help" for the helper (ask, record a signed form, choose
whom to act for). Each write is one call to `accounts.mandates`; its refusals (`DomainError`)
are shown as they are. A mandate is looked up only among the person's or the helper's own:
anyone else's is a 404.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.mandate_forms import (
    MandateGrantForm,
    MandateIdentityCheckForm,
    MandateRecordForm,
    MandateRequestForm,
)
from accounts.mandates import (
    mandate_awaiting_check_get,
    mandate_confirm,
    mandate_confirm_by_link,
    mandate_for_link,
    mandate_grant,
    mandate_identity_check_record,
    mandate_list_awaiting_check,
    mandate_list_given,
    mandate_list_held,
    mandate_notice_list,
    mandate_notices_mark_seen,
    mandate_record,
    mandate_refuse_by_link,
    mandate_request,
    mandate_revoke,
)
from accounts.models import Mandate
from accounts.permissions import is_applicant, is_helper, is_prefecture_agent, requires
from accounts.views.acting import acting_for_start, acting_for_stop
from anef import uploads
from anef.errors import DomainError
from anef.page_errors import show_refusal

TEMPLATES = "accounts/mandates/"
PENDING_MESSAGE = gettext_lazy(
    "The mandate is recorded. It is not in force yet: the person must confirm it (we asked "
    "them), or a prefecture agent must check their identity and the signed form. Until then "
    "you cannot act for them."
)


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
        except DomainError as error:
            show_refusal(request, error, form=form)
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
    notices = list(mandate_notice_list(request.user))
    if request.method == "GET":
        mandate_notices_mark_seen(request.user)
    return render(
        request,
        TEMPLATES + "mine.html",
        {"rows": _rows(mandate_list_given(request.user)), "form": form, "notices": notices},
    )


def _given(request: HttpRequest, pk: int) -> Mandate:
    return get_object_or_404(mandate_list_given(request.user), pk=pk)


@requires(is_applicant)
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = _given(request, pk)
    try:
        mandate_confirm(mandate=mandate, person=request.user)
    except DomainError as error:
        show_refusal(request, error)
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
        except DomainError as error:
            show_refusal(request, error)
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
    """The scanned signed form: only to the person, the helper of the mandate and, while it
    waits for the identity check, the agents of a prefecture competent for the person."""
    if is_prefecture_agent(request.user):
        mandate = mandate_awaiting_check_get(request.user, pk)
        if mandate is None:
            raise Http404
    elif is_applicant(request.user) or is_helper(request.user):
        mandates = (
            mandate_list_given(request.user)
            if is_applicant(request.user)
            else mandate_list_held(request.user)
        )
        mandate = get_object_or_404(mandates.exclude(consent_file=""), pk=pk)
    else:
        raise Http404
    return uploads.file_response(
        mandate.consent_file, content_type=mandate.consent_content_type, name="signed-form"
    )


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
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            # The same answer whatever the address (issue 15: no account-existence probing).
            messages.success(request, PENDING_MESSAGE)
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
            mandate_record(
                helper=request.user,
                person_email=data["person_email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                postal_code=data["postal_code"],
                consent_file=data["consent_file"],
                **form.mandate_kwargs(),
            )
        except DomainError as error:
            field = "consent_file" if error.code == "consent_file" else None
            show_refusal(request, error, form=form, field=field)
        else:
            # The same answer whatever the address: it never tells whether it has an account.
            messages.success(request, PENDING_MESSAGE)
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


# --- The person, through the link e-mailed to their verified address ------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_link(request: HttpRequest, token: str) -> HttpResponse:
    """What the link confirms (GET, no change), then the person's answer (POST). No sign-in:
    the link, single-use and expiring, went only to an address the person verified, and a
    person in hospital may have no password; someone signed in to another account is refused.
    """
    try:
        mandate = mandate_for_link(token)
        if request.user.is_authenticated and request.user.pk != mandate.person_id:
            raise DomainError(
                "link_other_account",
                _(
                    "This link is for another account. Sign out, then open the link again, or "
                    "sign in to the account it was sent to."
                ),
            )
        if request.method == "POST":
            if request.POST.get("answer") == "refuse":
                mandate_refuse_by_link(token=token, user=request.user)
                text = _("You refused the mandate. The helper cannot act for you.")
            else:
                mandate_confirm_by_link(token=token, user=request.user)
                text = _("You confirmed the mandate. The helper can now act for you.")
            return render(request, TEMPLATES + "confirm_link_done.html", {"text": text})
    except DomainError as error:
        # 403 for a link opened in another account (its code's status), else 400.
        return render(
            request,
            TEMPLATES + "confirm_link_error.html",
            {"error": error.message},
            status=error.http_status,
        )
    return render(request, TEMPLATES + "confirm_link.html", {"mandate": mandate})


# --- Prefecture agents: the identity check at a desk ---------------------------------------------


@requires(is_prefecture_agent)
@require_GET
def checks(request: HttpRequest) -> HttpResponse:
    """Signed-form mandates waiting for an identity check that this agent's prefecture may do."""
    return render(
        request,
        TEMPLATES + "checks.html",
        {"mandates": mandate_list_awaiting_check(request.user)},
    )


@requires(is_prefecture_agent)
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """The agent saw the person and an identity document, compared the signed form, and says
    so in their own name: the mandate comes into force."""
    mandate = mandate_awaiting_check_get(request.user, pk)
    if mandate is None:
        raise Http404
    form = MandateIdentityCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mandate_identity_check_record(
                mandate=mandate,
                agent=request.user,
                identity_document=form.cleaned_data["identity_document"],
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(request, _("The mandate is in force. The person is told."))
            return redirect("mandates_backoffice:checks")
    profile = getattr(mandate.person, "applicant_profile", None)
    return render(
        request, TEMPLATES + "check.html", {"mandate": mandate, "form": form, "profile": profile}
    )
