"""The prefecture's substitution desk in the back office (/agents/substitution/): cases,
appointments for a person, the desks' slots, day lists and walk-in queue, figures, and the
recording of deposits received at the desk, by post or by e-mail.

Everything is read through selectors scoped to the agent's prefecture (another prefecture's
case or desk is a 404) and changed through one service per POST; a refusal is shown as it is.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import can_use_back_office, requires
from anef import uploads
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.selectors import application_checklist
from applications.services import document_add
from applications.views.portal_forms import DocumentUploadForm
from applications.workflow import TransitionNotAllowed
from substitution import deposits, rules, selectors, self_service, services
from substitution.enums import CaseStatus, DeskKind
from substitution.models import SubstitutionCase
from substitution.timeline import case_timeline
from substitution.views.forms import (
    BookForm,
    DayForm,
    DepositForm,
    MarkForm,
    QueueTicketForm,
    SlotPatternForm,
    SuspiciousCancelForm,
)
from support.enums import PersonalDataScope
from support.services import personal_data_access_record

TEMPLATES = "substitution/backoffice/"
CASE_LIST_LIMIT = 200

agent_only = requires(can_use_back_office)


def _case_get(request: HttpRequest, reference: str) -> SubstitutionCase:
    return get_object_or_404(
        selectors.case_list_for_agent(request.user).select_related(
            "person", "prefecture", "application", "acknowledgement"
        ),
        reference=reference,
    )


def _desk_get(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.desk_list_for_agent(request.user), pk=pk)


@agent_only
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Open cases of the prefecture, its desks and its figures."""
    cases = (
        selectors.case_list_for_agent(request.user)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("person")
        .order_by("-opened_at")[:CASE_LIST_LIMIT]
    )
    return render(
        request,
        TEMPLATES + "home.html",
        {
            "cases": cases,
            "desks": selectors.desk_list_for_agent(request.user),
            "figures": selectors.prefecture_figures(request.user.prefecture),
        },
    )


@agent_only
@require_safe
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_get(request, reference)
    # The person sees who opened their case (/me/consultations/, issue 8); none without account.
    personal_data_access_record(
        viewer=request.user,
        person=case.person,
        scope=PersonalDataScope.SUBSTITUTION,
        application=case.application,
    )
    slots = list(selectors.slot_list_free(prefecture=case.prefecture, limit=20))
    return render(
        request,
        TEMPLATES + "case_detail.html",
        {
            "case": case,
            "appointment": selectors.case_booked_appointment(case),
            "appointments": case.appointments.select_related("slot__desk"),
            "book_form": BookForm(slots=slots),
            "slots": slots,
            "timeline": case_timeline(case),
        },
    )


@agent_only
@require_POST
def case_book(request: HttpRequest, reference: str) -> HttpResponse:
    """Book (or move) the person's appointment for them, e.g. after a phone call."""
    case = _case_get(request, reference)
    slots = list(selectors.slot_list_free(prefecture=case.prefecture, limit=20))
    form = BookForm(request.POST, slots=slots)
    if form.is_valid():
        try:
            services.appointment_book(case=case, slot=form.cleaned_data["slot"], actor=request.user)
        except DomainError as error:
            show_refusal(request, error)
        else:
            messages.success(request, _("The appointment is booked; the person is told by e-mail."))
    else:
        messages.error(request, _("Choose a time among those offered."))
    return redirect("substitution_backoffice:case_detail", reference=case.reference)


@agent_only
@require_POST
def case_close(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_get(request, reference)
    try:
        services.case_close(case=case, actor=request.user, note=request.POST.get("note", ""))
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("The case is closed."))
    return redirect("substitution_backoffice:case_detail", reference=case.reference)


def _appointment_get(request: HttpRequest, pk: int):
    return get_object_or_404(
        selectors.appointment_list_for_agent(request.user).select_related("case", "slot"), pk=pk
    )


@agent_only
@require_POST
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_get(request, pk)
    try:
        services.appointment_cancel(appointment=appointment, actor=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("The appointment is cancelled."))
    return redirect("substitution_backoffice:case_detail", reference=appointment.case.reference)


@agent_only
@require_safe
def suspicious(request: HttpRequest) -> HttpResponse:
    """Bookings no real person may stand behind (issue 15): from a private link whose address
    was never confirmed, or from a network that booked for many cases."""
    return render(
        request,
        TEMPLATES + "suspicious.html",
        {
            "rows": selectors.appointment_list_suspicious(request.user),
            "form": SuspiciousCancelForm(),
            "network_limit": rules.BOOKED_CASES_PER_NETWORK,
        },
    )


@agent_only
@require_POST
def appointment_cancel_suspicious(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_get(request, pk)
    form = SuspiciousCancelForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        self_service.appointment_cancel_suspicious(
            appointment=appointment, actor=request.user, note=note
        )
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(
            request, _("The appointment is cancelled, its time freed and the person told.")
        )
    return redirect("substitution_backoffice:suspicious")


@agent_only
@require_POST
def appointment_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """The desk records that the person came, or did not."""
    appointment = _appointment_get(request, pk)
    form = MarkForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_mark(
                appointment=appointment,
                attended=form.cleaned_data["attended"],
                actor=request.user,
            )
        except DomainError as error:
            show_refusal(request, error)
        else:
            messages.success(request, _("Recorded."))
    else:
        messages.error(request, _("Say whether the person came."))
    day = timezone.localdate(appointment.slot.starts_at)
    return redirect(f"{_desk_day_url(appointment.slot.desk_id)}?day={day.isoformat()}")


def _desk_day_url(pk: int) -> str:
    return reverse("substitution_backoffice:desk_day", kwargs={"pk": pk})


@agent_only
@require_safe
def desk_day(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable list of a desk's day."""
    desk = _desk_get(request, pk)
    form = DayForm(request.GET or None)
    day = (form.cleaned_data.get("day") if form.is_valid() else None) or timezone.localdate()
    return render(
        request,
        TEMPLATES + "desk_day.html",
        {
            "desk": desk,
            "day": day,
            "form": form,
            "appointments": selectors.desk_day_list(desk, day),
            "mark_form": MarkForm(),
        },
    )


@agent_only
@require_http_methods(["GET", "POST"])
def desk_slots(request: HttpRequest, pk: int) -> HttpResponse:
    """Generate slots from a weekly pattern."""
    desk = _desk_get(request, pk)
    form = SlotPatternForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.slots_generate(desk=desk, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(request, _("%(count)d slots created.") % {"count": created})
            return redirect("substitution_backoffice:desk_slots", pk=desk.pk)
    upcoming = desk.slots.filter(starts_at__gte=timezone.now()).order_by("starts_at")[:50]
    return render(
        request, TEMPLATES + "desk_slots.html", {"desk": desk, "form": form, "upcoming": upcoming}
    )


@agent_only
@require_safe
def desk_queue(request: HttpRequest, pk: int) -> HttpResponse:
    """The walk-in queue of a PAN today."""
    desk = _desk_get(request, pk)
    if desk.kind != DeskKind.PAN:
        raise Http404
    return render(
        request,
        TEMPLATES + "desk_queue.html",
        {
            "desk": desk,
            "tickets": selectors.queue_tickets_today(desk),
            "form": QueueTicketForm(),
        },
    )


@agent_only
@require_POST
def queue_issue(request: HttpRequest, pk: int) -> HttpResponse:
    desk = _desk_get(request, pk)
    form = QueueTicketForm(request.POST)
    if form.is_valid():
        try:
            ticket = services.queue_ticket_issue(
                desk=desk, actor=request.user, visitor_name=form.cleaned_data["visitor_name"]
            )
        except DomainError as error:
            show_refusal(request, error)
        else:
            messages.success(request, _("Ticket number %(number)d.") % {"number": ticket.number})
    return redirect("substitution_backoffice:desk_queue", pk=desk.pk)


@agent_only
@require_POST
def queue_next(request: HttpRequest, pk: int) -> HttpResponse:
    desk = _desk_get(request, pk)
    ticket = services.queue_call_next(desk=desk, actor=request.user)
    if ticket is None:
        messages.info(request, _("Nobody is waiting."))
    else:
        messages.success(request, _("Call number %(number)d.") % {"number": ticket.number})
    return redirect("substitution_backoffice:desk_queue", pk=desk.pk)


@agent_only
@require_safe
def figures(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "figures.html",
        {"figures": selectors.prefecture_figures(request.user.prefecture)},
    )


# --- Deposits -----------------------------------------------------------------------------------


@agent_only
@require_http_methods(["GET", "POST"])
def deposit_new(request: HttpRequest) -> HttpResponse:
    """Record the person and start their application (from a case, or for a letter received)."""
    case_reference = request.GET.get("case") or request.POST.get("case") or ""
    case = _case_get(request, case_reference) if case_reference else None
    initial = {}
    if case is not None:
        first, _space, last = case.contact_name.partition(" ")
        initial = {"first_name": first, "last_name": last, "email": case.email}
        if case.foreigner_number:
            initial["foreigner_number"] = case.foreigner_number
    form = DepositForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = deposits.deposit_start(
                agent=request.user,
                channel=data["channel"],
                ground=data["ground"],
                kind=data["kind"],
                case=case,
                permit=form.permit(),
                **form.person(),
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(request, _("Recorded. Now add the scanned documents."))
            return redirect("substitution_backoffice:deposit_detail", reference=case.reference)
    return render(request, TEMPLATES + "deposit_new.html", {"form": form, "case": case})


def _deposit_case(request: HttpRequest, reference: str) -> SubstitutionCase:
    case = _case_get(request, reference)
    if case.application_id is None:
        raise Http404
    return case


def _deposit_render(request, case, upload_form=None, upload_code="") -> HttpResponse:
    application = case.application
    pieces = []
    for item in application_checklist(application):
        code = item.requirement.document_type.code
        form = (
            upload_form
            if upload_form is not None and code == upload_code
            else DocumentUploadForm(auto_id=f"id_{code}_%s")
        )
        pieces.append({"item": item, "code": code, "form": form})
    return render(
        request,
        TEMPLATES + "deposit_detail.html",
        {"case": case, "application": application, "pieces": pieces},
    )


@agent_only
@require_safe
def deposit_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _deposit_render(request, _deposit_case(request, reference))


@agent_only
@require_POST
def deposit_upload(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    """The agent adds the scans of one piece (same checks as online)."""
    case = _deposit_case(request, reference)
    item = next(
        (
            i
            for i in application_checklist(case.application)
            if i.requirement.document_type.code == code
        ),
        None,
    )
    if item is None:
        raise Http404
    form = DocumentUploadForm(request.POST, request.FILES, auto_id=f"id_{code}_%s")
    if form.is_valid():
        batch = uploads.Batch(expected=len(form.cleaned_data["files"]))  # limits per request
        for uploaded_file in form.cleaned_data["files"]:
            try:
                document_add(
                    application=case.application,
                    document_type=item.requirement.document_type,
                    uploaded_file=uploaded_file,
                    actor=request.user,
                    batch=batch,
                )
            except DomainError as error:
                show_refusal(request, error, form=form, field="files")
        if not form.errors:
            messages.success(request, _("Scans added."))
            return redirect("substitution_backoffice:deposit_detail", reference=case.reference)
    return _deposit_render(request, case, upload_form=form, upload_code=code)


@agent_only
@require_POST
def deposit_file(request: HttpRequest, reference: str) -> HttpResponse:
    """File the deposit: the deposit receipt is issued as for an online filing."""
    case = _deposit_case(request, reference)
    try:
        application = deposits.deposit_file(case=case, actor=request.user)
    except DomainError as error:
        show_refusal(request, error)
        return redirect("substitution_backoffice:deposit_detail", reference=case.reference)
    except TransitionNotAllowed:
        messages.error(request, _("This application is already filed."))
        return redirect("substitution_backoffice:deposit_detail", reference=case.reference)
    messages.success(
        request,
        _("Application %(reference)s filed; its deposit receipt is issued.")
        % {"reference": application.reference},
    )
    return redirect("backoffice:application_detail", reference=application.reference)
