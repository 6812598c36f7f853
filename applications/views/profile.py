"""The applicant's own identity in the portal: complete it, read it, change address.

Mounted in the `portal` namespace (applications/urls_portal.py) so that the person stays in one
space at /portal/. The identity is `accounts`' (its forms and services); the page lives here
because it shows the competent prefecture and a move carries the open dossiers along
(`applications.services.address_change`), and `accounts` may not import the dossiers.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import AddressChangeForm, ProfileCompleteForm
from accounts.models import ApplicantProfile
from accounts.permissions import can_use_portal, requires
from accounts.selectors import applicant_profile_get
from accounts.services import applicant_profile_create
from accounts.views.acting import for_a_person
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.selectors import prefecture_for_postal_code
from applications.services import address_change
from applications.views.portal import safe_next_url


def _render_profile(
    request: HttpRequest, profile: ApplicantProfile, address_form: AddressChangeForm
) -> HttpResponse:
    return render(
        request,
        "accounts/profile.html",
        {
            "profile": profile,
            "prefecture": prefecture_for_postal_code(profile.postal_code),
            "previous_addresses": profile.previous_addresses.all(),
            "address_form": address_form,
        },
    )


@requires(can_use_portal)
@for_a_person
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The person's identity and addresses; without a profile yet, the form to complete it.
    A helper acting for a person reads and completes that person's (issue 6)."""
    current = applicant_profile_get(user=request.portal_subject)
    if current is None:
        return _profile_complete(request)
    if request.method == "POST":
        return redirect("portal:profile")
    return _render_profile(request, current, AddressChangeForm(auto_id="id_address_%s"))


def _profile_complete(request: HttpRequest) -> HttpResponse:
    form = ProfileCompleteForm(request.POST or None)
    next_url = safe_next_url(request)
    if request.method == "POST" and form.is_valid():
        try:
            applicant_profile_create(user=request.portal_subject, **form.profile_kwargs())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your details are recorded. You can now start an application.")
            )
            return redirect(next_url or "portal:home")
    return render(request, "accounts/profile_complete.html", {"form": form, "next": next_url})


@requires(can_use_portal)
@for_a_person
@require_POST
def address_change_view(request: HttpRequest) -> HttpResponse:
    """A move: the old address is kept, open dossiers follow to the new prefecture (§7.7)."""
    current = applicant_profile_get(user=request.portal_subject)
    if current is None:
        return redirect("portal:profile")
    form = AddressChangeForm(request.POST, auto_id="id_address_%s")
    if form.is_valid():
        try:
            moved = address_change(
                profile=current,
                actor=request.user,
                address_line=form.cleaned_data["address_line"].strip(),
                postal_code=form.cleaned_data["postal_code"],
                city=form.cleaned_data["city"].strip(),
            )
        except DomainError as error:
            show_refusal(request, error, form=form, field="postal_code")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your new address is recorded."))
            for application in moved:
                messages.info(
                    request,
                    _(
                        "Your application %(reference)s (%(ground)s) now goes to %(prefecture)s, "
                        "the prefecture of your new address. You have nothing to do."
                    )
                    % {
                        "reference": application.reference,
                        "ground": application.ground.label,
                        "prefecture": application.prefecture.name,
                    },
                )
            return redirect("portal:profile")
    return _render_profile(request, current, form)
