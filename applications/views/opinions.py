"""The back office's expert opinions (issue 20): ask, answer, withdraw, and the answer's file.
Opinions are found through `opinion_list_visible_to` (the agent's own prefecture's only, on
this dossier): anyone else gets a 404. Each action is one POST calling one service."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import can_use_back_office, requires
from anef import uploads
from applications.models import Application
from applications.opinions import services
from applications.opinions.models import Opinion
from applications.opinions.rules import (
    ANSWER_MAX_LENGTH,
    OUTSIDE_SERVICE_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
)
from applications.opinions.selectors import opinion_list_visible_to
from applications.views.agent_common import (
    agent_application_get,
    dossier_section,
    service_attempt,
)
from applications.workbench.selectors import prefecture_agents


class OpinionAskForm(forms.Form):
    addressee = forms.IntegerField(required=False)
    outside_service = forms.CharField(required=False, max_length=OUTSIDE_SERVICE_MAX_LENGTH)
    question = forms.CharField(
        label=gettext_lazy("Question"), max_length=QUESTION_MAX_LENGTH, widget=forms.Textarea
    )


class OpinionAnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer"), max_length=ANSWER_MAX_LENGTH, widget=forms.Textarea
    )
    file = forms.FileField(required=False)


def _opinion_get(request: HttpRequest, application: Application, pk: int) -> Opinion:
    return get_object_or_404(
        opinion_list_visible_to(request.user).filter(application=application), pk=pk
    )


def _back(application: Application) -> HttpResponse:
    return dossier_section(application, "opinions")


@requires(can_use_back_office)
@require_POST
def opinion_ask(request: HttpRequest, reference: str) -> HttpResponse:
    """An agent of the agent's own prefecture only (looked up there), or an outside service."""
    application = agent_application_get(request, reference)
    form = OpinionAskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The question was not sent: write it, and say whom you ask."))
        return _back(application)
    addressee = None
    if form.cleaned_data["addressee"]:
        addressee = (
            prefecture_agents(request.user.prefecture_id)
            .filter(pk=form.cleaned_data["addressee"])
            .first()
        )
        if addressee is None:
            messages.error(request, _("Choose an agent of your prefecture."))
            return _back(application)
    service_attempt(
        request,
        lambda: services.opinion_ask(
            application=application,
            actor=request.user,
            question=form.cleaned_data["question"],
            addressee=addressee,
            outside_service=form.cleaned_data["outside_service"],
        ),
        _("The question is recorded on the application."),
    )
    return _back(application)


@requires(can_use_back_office)
@require_POST
def opinion_answer(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    application = agent_application_get(request, reference)
    opinion = _opinion_get(request, application, pk)
    form = OpinionAnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("The answer was not saved: write it first."))
        return _back(application)
    service_attempt(
        request,
        lambda: services.opinion_answer(
            opinion=opinion,
            actor=request.user,
            answer=form.cleaned_data["answer"],
            uploaded_file=form.cleaned_data["file"],
        ),
        _("The answer is saved."),
    )
    return _back(application)


@requires(can_use_back_office)
@require_POST
def opinion_withdraw(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    application = agent_application_get(request, reference)
    opinion = _opinion_get(request, application, pk)
    service_attempt(
        request,
        lambda: services.opinion_withdraw(opinion=opinion, actor=request.user),
        _("The question is withdrawn."),
    )
    return _back(application)


@requires(can_use_back_office)
@require_safe
@never_cache
def opinion_file(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The answer's file, to the agents of the prefecture that asked only (a 404 otherwise)."""
    application = agent_application_get(request, reference)
    opinion = _opinion_get(request, application, pk)
    if not opinion.answer_file:
        return _back(application)
    return uploads.file_response(
        opinion.answer_file,
        content_type=opinion.answer_content_type,
        name=opinion.answer_file_name,
        inline=request.GET.get("inline") is not None,
    )
