"""Callbacks (issue 21): the person picks a slot (portal or private link); the console works
the queue in due order, records calls made or missed, and shows figures per day."""

from datetime import datetime

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import can_use_portal, can_use_support_console, requires
from applications.views.agent_common import service_attempt
from support import services
from support.callbacks import slot_load, slots_offered
from support.enums import CallbackStatus
from support.models import Callback, Ticket
from support.selectors import callback_queue, ticket_get_by_token, ticket_list_for_requester


class CallbackForm(forms.Form):
    starts_at = forms.ChoiceField(label=gettext_lazy("When should we call you?"))
    phone = forms.CharField(label=gettext_lazy("Number to call"), max_length=30, required=False)

    def __init__(self, *args, slots: list[datetime], load: dict, capacity: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {slot.isoformat(): slot for slot in slots}
        self.fields["starts_at"].choices = [
            (
                key,
                date_format(timezone.localtime(slot), "l j F, H:i")
                + (f" ({_('full')})" if load.get(slot, 0) >= capacity else ""),
            )
            for key, slot in self.slots.items()
        ]

    def clean_starts_at(self) -> datetime:
        return self.slots[self.cleaned_data["starts_at"]]


def _book(request: HttpRequest, ticket: Ticket, *, via_link: bool, back: str) -> HttpResponse:
    from support.callbacks import config

    slots = slots_offered()
    form = CallbackForm(
        request.POST or None, slots=slots, load=slot_load(slots), capacity=config()["CAPACITY"]
    )
    actor = request.user if request.user.is_authenticated else None
    if (
        request.method == "POST"
        and form.is_valid()
        and service_attempt(
            request,
            lambda: services.callback_book(
                ticket=ticket,
                starts_at=form.cleaned_data["starts_at"],
                phone=form.cleaned_data["phone"],
                actor=None if via_link else actor,
                via_link=via_link,
            ),
            _("Your callback is booked. We sent you a confirmation."),
        )
    ):
        return redirect(back)
    scheduled = ticket.callbacks.filter(status=CallbackStatus.SCHEDULED).first()
    return render(
        request,
        "support/callback_book.html",
        {"ticket": ticket, "form": form, "scheduled": scheduled, "back": back},
        status=400 if request.method == "POST" else 200,
    )


@requires(can_use_portal)
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def portal_callback(request: HttpRequest, number: str) -> HttpResponse:
    ticket = get_object_or_404(ticket_list_for_requester(request.user), number=number)
    return _book(request, ticket, via_link=False, back=request.path)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def public_callback(request: HttpRequest, token: str) -> HttpResponse:
    ticket = ticket_get_by_token(token)
    if ticket is None:
        raise Http404
    return _book(request, ticket, via_link=True, back=request.path)


@requires(can_use_support_console)
@never_cache
@require_safe
def console_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "support/console/callbacks.html",
        {"callbacks": callback_queue(request.user), "now": timezone.now()},
    )


@requires(can_use_support_console)
@require_POST
def console_mark(request: HttpRequest, pk: int, outcome: str) -> HttpResponse:
    if outcome not in ("made", "missed"):
        raise Http404
    callback = get_object_or_404(Callback, pk=pk)
    if outcome == "made":
        service_attempt(
            request,
            lambda: services.callback_mark_made(callback=callback, actor=request.user),
            _("Call recorded as made."),
        )
    else:
        service_attempt(
            request,
            lambda: services.callback_mark_missed(callback=callback, actor=request.user),
            _("Call recorded as missed: tried again once, then answered in writing."),
        )
    return redirect("support_console:callbacks")


@requires(can_use_support_console)
@never_cache
@require_safe
def console_figures(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "support/console/callback_figures.html",
        {"figures": services.callback_figures(days=14)},
    )
