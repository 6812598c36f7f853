"""Pages of the waiting list and of the e-mails' links (issue 21), all but the first without an
account — the link's key is the only door:

- the case page's « ask for an earlier time » / « stop waiting » (portal and private link);
- `/r/<signed key>` (and `/substitution/appointment-cancel/<signed key>/`): the one-click
  cancel of a confirmation or reminder (GET shows what will be cancelled and one button; the
  POST cancels: a mail scanner that opens links cancels nothing);
- `/substitution/earlier/<key>/`: an earlier place offered, accepted in one click (POST); the
  text message carries the same offer as `/o/<short signed key>`.

Each of them counts the wrong keys a client tries, and past a limit answers 429
(substitution/link_limits.py).
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import can_use_portal, requires
from anef.errors import DomainError
from anef.page_errors import show_refusal
from substitution import services
from substitution.cancel_links import appointment_for_cancel_token, offer_for_short_key
from substitution.enums import AppointmentStatus, SlotOfferStatus
from substitution.link_limits import refusals_limited
from substitution.selectors import case_booked_appointment
from substitution.views.portal import _own_case, _token_case

TEMPLATES = "substitution/portal/"


def _waitlist(request: HttpRequest, case) -> None:
    try:
        if request.POST.get("action") == "leave":
            services.waitlist_leave(case=case, actor=request.user)
            messages.success(request, _("You no longer wait for an earlier time."))
        else:
            services.waitlist_join(case=case, actor=request.user)
            messages.success(
                request,
                _(
                    "Noted. If an earlier time frees up at this desk, we offer it to you by "
                    "e-mail or text message; you keep your appointment until you accept."
                ),
            )
    except DomainError as error:
        show_refusal(request, error)


@requires(can_use_portal)
@require_POST
def case_waitlist(request: HttpRequest, reference: str) -> HttpResponse:
    case = _own_case(request, reference)
    _waitlist(request, case)
    return redirect("substitution_portal:case_detail", reference=case.reference)


@require_POST
def public_case_waitlist(request: HttpRequest, token: str) -> HttpResponse:
    _waitlist(request, _token_case(token))
    return redirect("substitution_public:case", token=token)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@refusals_limited
def appointment_cancel_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail's cancel link: a forged or altered key is a 404, like any unknown link."""
    appointment = appointment_for_cancel_token(token)
    if appointment is None:
        raise Http404
    done = False
    if request.method == "POST":
        try:
            appointment = services.appointment_cancel_by_link(token=token)
        except DomainError as error:
            show_refusal(request, error)
        else:
            done = True
    cancellable = appointment.status == AppointmentStatus.BOOKED
    return render(
        request,
        TEMPLATES + "cancel_link.html",
        {
            "appointment": appointment,
            "done": done,
            "cancellable": cancellable,
            # A booking moved to an earlier slot: its old link says where the new one is (the
            # new one's own text or e-mail carries its own cancel link).
            "replaced_by": None
            if cancellable or done
            else case_booked_appointment(appointment.case),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@refusals_limited
def slot_offer(request: HttpRequest, token: str) -> HttpResponse:
    """An earlier place offered: what, until when, and one button that takes it."""
    offer = services.slot_offer_get(token)
    if offer is None:
        raise Http404
    return _offer_page(request, offer)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@refusals_limited
def slot_offer_short(request: HttpRequest, token: str) -> HttpResponse:
    """The same offer through the text's short key (/o/<key>); a forged key is a 404."""
    offer = offer_for_short_key(token)
    if offer is None:
        raise Http404
    return _offer_page(request, offer)


def _offer_page(request: HttpRequest, offer) -> HttpResponse:
    appointment = None
    status = 200
    if request.method == "POST":
        try:
            appointment = services.slot_offer_accept(token=offer.token)
        except DomainError as error:
            show_refusal(request, error)
            status = error.http_status
        offer.refresh_from_db()
    return render(
        request,
        TEMPLATES + "slot_offer.html",
        {
            "offer": offer,
            "appointment": appointment,
            "pending": offer.status == SlotOfferStatus.PENDING,
        },
        status=status,
    )
