"""What the portal's pages share: their templates' folder, who may start a dossier or declare a
card (`applicant_only`), the safe `next` page, and the message of a step refused because the
dossier has moved on."""

from django.contrib import messages
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.views.acting import for_a_person

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
