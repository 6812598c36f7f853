"""The back office's document review (issue 20): a verdict on one file, and « ask for the
rejected pieces ». Dossiers are found through `application_list_visible_to` (another
prefecture's is a 404) and the file among that dossier's own files (another dossier's file is a
404); each action is one POST calling one service, whose refusal is shown to the agent."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import can_use_back_office, requires
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.models import Application
from applications.review import services
from applications.review.rules import NOTE_MAX_LENGTH, RejectionReason, Verdict
from applications.views.agent_common import (
    agent_application_get,
    dossier_section,
)


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(label=gettext_lazy("Verdict"), choices=Verdict.choices)
    reason = forms.ChoiceField(
        label=gettext_lazy("Why it is rejected"),
        choices=[("", "—"), *RejectionReason.choices],
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Explanation for the person (optional)"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
    )


def _back(application: Application) -> HttpResponse:
    return dossier_section(application, "review")


@requires(can_use_back_office)
@require_POST
def document_review(request: HttpRequest, reference: str, document_pk: int) -> HttpResponse:
    application = agent_application_get(request, reference)
    document = get_object_or_404(
        application.documents.filter(error_report__isnull=True), pk=document_pk
    )
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The verdict was not recorded: check the form."))
        return _back(application)
    try:
        services.document_review(document=document, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        show_refusal(request, error)
    else:
        accepted = form.cleaned_data["verdict"] == Verdict.ACCEPTED
        text = (
            _("The file « %(name)s » is accepted.")
            if accepted
            else _("The file « %(name)s » is rejected. Ask for the rejected pieces when done.")
        )
        messages.success(request, text % {"name": document.original_name})
    return _back(application)


@requires(can_use_back_office)
@require_POST
def rejected_pieces_request(request: HttpRequest, reference: str) -> HttpResponse:
    application = agent_application_get(request, reference)
    try:
        correction = services.rejected_pieces_request(application=application, actor=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(
            request,
            _("The correction request was sent to the person (answer before %(date)s).")
            % {"date": date_format(correction.deadline, "DATE_FORMAT")},
        )
    return _back(application)
