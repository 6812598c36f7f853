"""The person's side of substitution: their case page with the appointment picker, reached from
the portal (/portal/substitution/) or, for someone without an account, through a private link
(/substitution/<token>/) whose long token alone opens it — the case reference never does.

The automatic offer (issue 6) is accepted here too: a person blocked on the portal picks a time
and a case of origin « automatic detection » is opened with the appointment, in one step.

Once booked, the page confirms the appointment (where, when, what to bring, a calendar file) and
offers the times again only when the person asks to change it (`?change=1`).
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import can_use_portal, is_applicant, requires
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.selectors import prefecture_for_postal_code
from substitution import selectors, self_service, services
from substitution.ics import appointment_ics
from substitution.models import Appointment, SubstitutionCase
from substitution.permissions import case_abilities
from substitution.timeline import case_timeline
from substitution.views.forms import BookForm, EmailCodeForm, HelpRequestForm, ModeForm
from support.throttling import client_ip

TEMPLATES = "substitution/portal/"


def safe_next_url(request: HttpRequest) -> str:
    """The page to return to after the offer, if it is on this site."""
    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _urls(
    case: SubstitutionCase, token: str | None, appointment: Appointment | None = None
) -> dict[str, str]:
    if token:
        urls = {
            name: reverse(f"substitution_public:{route}", kwargs={"token": token})
            for name, route in (
                ("page", "case"),
                ("book", "case_book"),
                ("cancel", "case_cancel"),
                ("mode", "case_mode"),
                ("code_send", "case_code_send"),
                ("code_verify", "case_code_verify"),
                ("calendar", "case_calendar"),
                ("waitlist", "case_waitlist"),
            )
        }
    else:
        urls = {
            name: reverse(f"substitution_portal:{route}", kwargs={"reference": case.reference})
            for name, route in (
                ("page", "case_detail"),
                ("book", "case_book"),
                ("cancel", "case_cancel"),
                ("mode", "case_mode"),
                ("waitlist", "case_waitlist"),
            )
        }
        if appointment is not None:
            urls["calendar"] = reverse(
                "substitution_portal:appointment_calendar", kwargs={"pk": appointment.pk}
            )
    urls["change"] = urls["page"] + "?change=1"
    return urls


def _case_page(
    request: HttpRequest,
    case: SubstitutionCase,
    token: str | None = None,
    code_form: EmailCodeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    appointment = selectors.case_booked_appointment(case)
    abilities = case_abilities(case, appointment)
    # Once booked, the times are offered again only when the person asks to change.
    changing = appointment is not None and request.GET.get("change") == "1"
    show_picker = abilities["book"] and (appointment is None or changing)
    slots = (
        list(selectors.slot_list_free(prefecture=case.prefecture, limit=20)) if show_picker else []
    )
    return render(
        request,
        TEMPLATES + "case.html",
        {
            "case": case,
            "appointment": appointment,
            "address_lines": (
                selectors.appointment_address_lines(appointment) if appointment else []
            ),
            "items_to_bring": selectors.case_items_to_bring(case) if appointment else [],
            "abilities": abilities,
            "show_picker": show_picker,
            "changing": changing,
            "book_form": BookForm(slots=slots),
            "slots": slots,
            "mode_form": ModeForm(initial={"mode": case.mode}),
            "timeline": case_timeline(case),
            "urls": _urls(case, token, appointment),
            "private_link": bool(token),
            "code_form": code_form or EmailCodeForm(),
            "waitlist": selectors.case_waitlist_entry(case) if appointment else None,
        },
        status=status,
    )


def _book(request: HttpRequest, case: SubstitutionCase) -> bool:
    """Book (or move) the appointment; whether it was done."""
    slots = list(selectors.slot_list_free(prefecture=case.prefecture, limit=20))
    form = BookForm(request.POST, slots=slots)
    if not form.is_valid():
        messages.error(request, _("Choose a time among those offered."))
        return False
    try:
        services.appointment_book(
            case=case,
            slot=form.cleaned_data["slot"],
            actor=request.user,
            origin_ip=client_ip(request),
        )
    except DomainError as error:
        show_refusal(request, error)
        return False
    messages.success(request, _("Your appointment is booked. We sent you a confirmation."))
    return True


def _after_booking(page: str, booked: bool) -> str:
    """Back to the case; after a refused change, with the times still shown."""
    return page if booked else page + "?change=1"


def _calendar_response(appointment: Appointment, *, case_page: str) -> HttpResponse:
    """The appointment's calendar file, its texts in the page's language."""
    content = appointment_ics(
        appointment, language=get_language() or "fr", case_url=f"{settings.SITE_URL}{case_page}"
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    filename = f"appointment-{appointment.case.reference}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cancel(request: HttpRequest, case: SubstitutionCase) -> None:
    appointment = selectors.case_booked_appointment(case)
    if appointment is None:
        messages.error(request, _("You have no appointment to cancel."))
        return
    try:
        services.appointment_cancel(appointment=appointment, actor=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("Your appointment is cancelled. You can book another one."))


def _mode(request: HttpRequest, case: SubstitutionCase) -> None:
    form = ModeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how you want to file."))
        return
    try:
        services.case_mode_change(case=case, mode=form.cleaned_data["mode"], actor=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("Your choice is recorded. The prefecture will contact you."))


# --- Portal (signed in) --------------------------------------------------------------------------


def _own_case(request: HttpRequest, reference: str) -> SubstitutionCase:
    return get_object_or_404(
        selectors.case_list_for_person(request.user).select_related("prefecture"),
        reference=reference,
    )


@requires(can_use_portal)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    cases = selectors.case_list_for_person(request.user).select_related("prefecture")
    appointments = selectors.appointment_list_for_person(request.user).order_by("-slot__starts_at")
    return render(request, TEMPLATES + "home.html", {"cases": cases, "appointments": appointments})


@requires(can_use_portal)
@require_safe
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _case_page(request, _own_case(request, reference))


@requires(can_use_portal)
@require_POST
def case_book(request: HttpRequest, reference: str) -> HttpResponse:
    case = _own_case(request, reference)
    booked = _book(request, case)
    page = reverse("substitution_portal:case_detail", kwargs={"reference": case.reference})
    return redirect(_after_booking(page, booked))


@requires(can_use_portal)
@require_safe
@never_cache
def appointment_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The calendar file of one's own booked appointment; anyone else's is a 404."""
    appointment = selectors.appointment_get_for_person(request.user, pk)
    if appointment is None:
        raise Http404
    page = reverse(
        "substitution_portal:case_detail", kwargs={"reference": appointment.case.reference}
    )
    return _calendar_response(appointment, case_page=page)


@requires(can_use_portal)
@require_POST
def case_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    case = _own_case(request, reference)
    _cancel(request, case)
    return redirect("substitution_portal:case_detail", reference=case.reference)


@requires(can_use_portal)
@require_POST
def case_mode(request: HttpRequest, reference: str) -> HttpResponse:
    case = _own_case(request, reference)
    _mode(request, case)
    return redirect("substitution_portal:case_detail", reference=case.reference)


@requires(can_use_portal)
@require_POST
def offer_accept(request: HttpRequest) -> HttpResponse:
    """The automatic offer accepted from the page where the person is blocked."""
    if not is_applicant(request.user):
        messages.info(request, _("Only the person themselves can accept this offer."))
        return redirect("substitution_portal:home")
    profile_prefecture = selectors.person_prefecture(request.user)
    slots = list(selectors.slot_list_free(prefecture=profile_prefecture, limit=20))
    form = BookForm(request.POST, slots=slots)
    if not form.is_valid():
        messages.error(request, _("Choose a time among those offered."))
        return redirect(safe_next_url(request) or "substitution_portal:home")
    try:
        appointment = services.offer_accept(
            person=request.user, slot=form.cleaned_data["slot"], origin_ip=client_ip(request)
        )
    except DomainError as error:
        show_refusal(request, error)
        return redirect(safe_next_url(request) or "substitution_portal:home")
    messages.success(request, _("Your appointment is booked. We sent you a confirmation."))
    return redirect("substitution_portal:case_detail", reference=appointment.case.reference)


# --- Private link (no account) -------------------------------------------------------------------


def _token_case(token: str) -> SubstitutionCase:
    case = selectors.case_get_by_token(token)
    if case is None:
        raise Http404
    return case


@require_safe
def public_case(request: HttpRequest, token: str) -> HttpResponse:
    return _case_page(request, _token_case(token), token=token)


@require_POST
def public_case_book(request: HttpRequest, token: str) -> HttpResponse:
    booked = _book(request, _token_case(token))
    page = reverse("substitution_public:case", kwargs={"token": token})
    return redirect(_after_booking(page, booked))


@require_safe
@never_cache
def public_case_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar file of the private link's booked appointment (the token is the key)."""
    appointment = selectors.case_booked_appointment(_token_case(token))
    if appointment is None:
        raise Http404
    page = reverse("substitution_public:case", kwargs={"token": token})
    return _calendar_response(appointment, case_page=page)


@require_POST
def public_case_cancel(request: HttpRequest, token: str) -> HttpResponse:
    _cancel(request, _token_case(token))
    return redirect("substitution_public:case", token=token)


@require_POST
def public_case_mode(request: HttpRequest, token: str) -> HttpResponse:
    _mode(request, _token_case(token))
    return redirect("substitution_public:case", token=token)


@require_POST
def public_case_code_send(request: HttpRequest, token: str) -> HttpResponse:
    """Send the code that confirms the case's e-mail address (issue 15)."""
    case = _token_case(token)
    try:
        self_service.case_code_send(case=case)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(
            request,
            _("We sent a code to %(email)s. Type it below; it is valid for 15 minutes.")
            % {"email": case.contact_email},
        )
    return redirect("substitution_public:case", token=token)


@require_POST
def public_case_code_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The code typed back: the address is confirmed and the times are offered."""
    case = _token_case(token)
    form = EmailCodeForm(request.POST)
    if form.is_valid():
        try:
            self_service.case_email_verify(case=case, code=form.cleaned_data["code"])
        except DomainError as error:
            show_refusal(request, error, form=form, field="code")
        else:
            messages.success(request, _("Your e-mail address is confirmed. Choose a time below."))
            return redirect("substitution_public:case", token=token)
    return _case_page(request, case, token=token, code_form=form, status=400)


# Refusals of the help request that are limits, not mistakes in the form.
LIMIT_CODES = {"address_has_case", "network_limit"}


@require_http_methods(["GET", "POST"])
def help_request(request: HttpRequest) -> HttpResponse:
    """For a person who could not create an account or sign in: once their failed attempts with
    this e-mail address reach the threshold, a case is opened at once; they confirm the address
    with a code, then choose a time (issue 15)."""
    form = HelpRequestForm(request.POST or None)
    not_due = False
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = self_service.case_open_from_failures(
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                prefecture=prefecture_for_postal_code(data["postal_code"]),
                origin_ip=client_ip(request),
            )
        except DomainError as error:
            if error.code == "offer_not_due":
                not_due = True
            else:
                show_refusal(request, error, form=form)
                status = 429 if error.code in LIMIT_CODES else 400
        else:
            messages.success(
                request,
                _(
                    "Your case is open. Keep this page's address: it is your private link "
                    "(we also sent it by e-mail). Confirm your e-mail address below, then "
                    "choose your appointment."
                ),
            )
            return redirect("substitution_public:case", token=case.access_token)
    return render(
        request,
        TEMPLATES + "help_request.html",
        {"form": form, "not_due": not_due},
        status=status,
    )
