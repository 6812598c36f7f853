"""Saved answers: the list agents pick from, and the supervisors' form to write or correct one
(permission support.supervise_contact_centre)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.permissions import can_use_support_console, requires
from applications.views.agent_common import service_attempt
from support import services
from support.models import SavedAnswer
from support.permissions import can_edit_saved_answers
from support.selectors import saved_answer_list
from support.views.forms import SavedAnswerForm


@requires(can_use_support_console)
@require_safe
def saved_answers(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "support/console/saved_answers.html",
        {
            "answers": list(saved_answer_list(active_only=False)),
            "can_edit": can_edit_saved_answers(request.user),
        },
    )


@requires(can_edit_saved_answers)
@require_http_methods(["GET", "HEAD", "POST"])
def saved_answer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Supervisors write and correct saved answers (permission support.supervise_contact_centre)."""
    answer = get_object_or_404(SavedAnswer, pk=pk) if pk is not None else None
    form = SavedAnswerForm(request.POST or None, instance=answer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if service_attempt(
            request,
            lambda: services.saved_answer_save(
                actor=request.user,
                answer=answer,
                title=data["title"],
                category=data["category"],
                body_fr=data["body_fr"],
                body_en=data["body_en"],
                body_ar=data["body_ar"],
                active=data["active"],
            ),
            _("The saved answer was saved."),
        ):
            return redirect("support_console:saved_answers")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/console/saved_answer_form.html",
        {"form": form, "answer": answer},
        status=status,
    )
