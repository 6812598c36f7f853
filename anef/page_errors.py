"""How a page tells the person that a service refused (issue 19): one way for every HTML view.

The API's counterpart is `anef/api_errors.py`. A view calls the service, catches `DomainError`
and hands it here: when the page shows a form again, the reason goes on the form (next to the
field it is about, else at the top); when the view redirects, it goes to the messages shown on
the next page. The message is the service's own plain-language text, never a code.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.encoding import force_str

from anef.errors import DomainError


def show_refusal(
    request: HttpRequest,
    error: DomainError,
    *,
    form: forms.BaseForm | None = None,
    field: str | None = None,
) -> None:
    """Show `error` to the person: on `form` (at `field`, or at the top) if given, else as an
    error message for the next page."""
    if form is not None:
        form.add_error(field, force_str(error.message))
    else:
        messages.error(request, force_str(error.message))
