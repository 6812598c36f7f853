"""The cards a person holds: the list, and declaring one so that a renewal can name it."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import can_use_portal, requires
from accounts.views.acting import for_a_person
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.selectors import ground_list_offered, permit_list_held_by
from applications.services import permit_declare
from applications.views.portal._common import TEMPLATES, applicant_only, safe_next_url
from applications.views.portal_forms import PermitDeclareForm


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
