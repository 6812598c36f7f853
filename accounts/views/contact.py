"""How the person is contacted (issue 21), at /me/contact/: e-mail, text messages or both, and
the mobile number, proven by a code sent to it before any text goes there.

The person's own: a helper acting for someone does not choose where that person's messages go
(a helper's number there would receive the person's news)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.enums import ContactChannels
from accounts.forms import ContactPreferencesForm, PhoneCodeForm
from accounts.permissions import is_applicant, requires
from accounts.services import contact_preferences_set, phone_code_send, phone_verify
from anef.errors import DomainError
from anef.page_errors import show_refusal
from anef.phone import phone_masked


@requires(is_applicant)
@require_http_methods(["GET", "POST"])
def contact_preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ContactPreferencesForm(
        request.POST or None,
        initial={"contact_channels": user.contact_channels, "phone_number": user.phone_number},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = contact_preferences_set(
                user=user,
                channels=form.cleaned_data["contact_channels"],
                phone_number=form.cleaned_data["phone_number"],
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            if user.contact_channels != ContactChannels.EMAIL and user.phone_verified_at is None:
                return _send_code(request, user)
            messages.success(request, _("Your choice is recorded."))
            return redirect("accounts:contact")
    return render(
        request,
        "accounts/contact.html",
        {"form": form, "phone": phone_masked(user.phone_number), "account": user},
    )


def _send_code(request: HttpRequest, user) -> HttpResponse:
    try:
        phone_code_send(user=user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.info(request, _("We sent a code to your mobile phone. Type it below."))
    return redirect("accounts:phone_verify")


@requires(is_applicant)
@require_http_methods(["GET", "POST"])
def phone_verification(request: HttpRequest) -> HttpResponse:
    """Type the code received; or ask for a new one (`resend`)."""
    user = request.user
    if not user.phone_number:
        return redirect("accounts:contact")
    if request.method == "POST" and "resend" in request.POST:
        return _send_code(request, user)
    form = PhoneCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            phone_verify(user=user, code=form.cleaned_data["code"])
        except DomainError as error:
            show_refusal(request, error, form=form, field="code")
        else:
            messages.success(request, _("Your number is checked: we will send you text messages."))
            return redirect("accounts:contact")
    return render(
        request,
        "accounts/phone_verify.html",
        {"form": form, "phone": phone_masked(user.phone_number), "account": user},
    )
