"""The appointment of a dossier routed to substitution, from the dossier's page (issue 21):
`/portal/substitution/dossiers/<reference>/appointment/` shows the dossier's appointment (or
the free times at its prefecture) and books or moves it. Who sees the dossier is decided by
`applications.selectors.application_list_visible_to` (its applicant, a helper whose mandate
covers it): anyone else's is a 404. The block on the dossier's page is a panel
(`dossier_panel`, registered in `SubstitutionConfig.ready`)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import can_use_portal, requires
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.selectors import application_list_visible_to
from substitution import selectors, services
from substitution.views.forms import BookForm
from support.throttling import client_ip

PANEL = "substitution_appointment"


def dossier_panel(user, application) -> dict:
    """The dossier page's block: the appointment waiting for it, or the way to book one, when
    the dossier is on the substitution path; nothing otherwise."""
    appointment = selectors.dossier_booked_appointment(application)
    case = selectors.dossier_case(application) if appointment is None else appointment.case
    if case is None:
        return {}
    return {
        "substitution_dossier": {
            "appointment": appointment,
            "url": reverse(
                "substitution_portal:dossier_appointment",
                kwargs={"reference": application.reference},
            ),
        }
    }


def _slots(case, application) -> list:
    prefecture = case.prefecture if case and case.prefecture_id else application.prefecture
    return list(selectors.slot_list_free(prefecture=prefecture, limit=20))


@requires(can_use_portal)
@require_http_methods(["GET", "HEAD", "POST"])
def dossier_appointment(request: HttpRequest, reference: str) -> HttpResponse:
    application = get_object_or_404(application_list_visible_to(request.user), reference=reference)
    appointment = selectors.dossier_booked_appointment(application)
    case = appointment.case if appointment else selectors.dossier_case(application)
    slots = _slots(case, application) if case is not None else []
    form = BookForm(request.POST or None, slots=slots)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.dossier_appointment_book(
                    application=application,
                    slot=form.cleaned_data["slot"],
                    actor=request.user,
                    origin_ip=client_ip(request),
                    move=request.POST.get("move") == "1",
                )
            except DomainError as error:
                show_refusal(request, error)
                status = error.http_status
            else:
                messages.success(
                    request, _("Your appointment is booked. We sent you a confirmation.")
                )
                return redirect("substitution_portal:dossier_appointment", reference=reference)
        else:
            messages.error(request, _("Choose a time among those offered."))
            status = 400
    return render(
        request,
        "substitution/portal/dossier_appointment.html",
        {
            "application": application,
            "case": case,
            "appointment": appointment,
            "address_lines": (
                selectors.appointment_address_lines(appointment) if appointment else []
            ),
            "form": form,
        },
        status=status,
    )
