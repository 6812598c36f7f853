"""The portal's failures of essential steps, recorded for the automatic offer (issue 6).

A refused sign-up is recorded through `services.signup_refused`, which adds the offer to the form.
A failed login is recorded under a keyed hash of the e-mail typed (Django removes the password
from `credentials` before sending the signal; we read only the e-mail). Past the threshold, the
person is told at once, on the login page, that they can file another way."""

from django.contrib import messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from substitution import selectors, services
from substitution.enums import FailureStep


def login_failed(sender, credentials, request=None, **kwargs) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "")
    services.failure_record(step=FailureStep.LOGIN, email=email, code="login_failed")
    if request is not None and selectors.failure_offer_due(email=email):
        offer_message(request)


def signup_checked(sender, form, **kwargs) -> None:
    """`accounts.signals.signup_form_checked`: a refused sign-up counts as a failure, and past
    the threshold the form itself shows the offer."""
    services.signup_refused(form)


def offer_message(request) -> None:
    """The offer, as a message shown on the page where the person is blocked."""
    messages.warning(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            _(
                "You seem unable to use the website. You have the right to file your "
                "application another way: an appointment at the prefecture is offered to you."
            ),
            reverse("substitution_public:help_request"),
            _("Choose an appointment"),
        ),
        fail_silently=True,
    )
