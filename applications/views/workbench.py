"""The instruction workbench's pages and actions (issue 20): assigning and following a dossier,
agents' notes and their export, the team's load for supervisors.

Dossiers are found through `application_list_visible_to` (another prefecture's dossier is a
404); each action is one POST calling one service of `applications.workbench.services`, whose
refusal is shown to the agent, then back to the dossier page.
"""

import csv
import io

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import can_use_back_office, is_prefecture_supervisor, requires
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.exports.cells import neutralised
from applications.models import Application
from applications.views.agent_common import (
    agent_application_get,
    dossier_section,
    service_attempt,
)
from applications.workbench import services
from applications.workbench.selectors import prefecture_agents, team_load


def _back(application: Application) -> HttpResponse:
    return dossier_section(application, "workbench")


# --- Assignment and following --------------------------------------------------------------------


@requires(can_use_back_office)
@require_POST
def application_assign(request: HttpRequest, reference: str) -> HttpResponse:
    """Without `agent`: the agent takes the dossier. With it (a supervisor): that agent, looked
    up among the agents of the agent's own prefecture only."""
    application = agent_application_get(request, reference)
    agent_pk = request.POST.get("agent", "")
    if agent_pk:
        agent = (
            prefecture_agents(request.user.prefecture_id).filter(pk=agent_pk).first()
            if agent_pk.isdigit()
            else None
        )
        if agent is None:
            messages.error(request, _("Choose an agent of your prefecture."))
            return _back(application)
    else:
        agent = request.user
    service_attempt(
        request,
        lambda: services.application_assign(
            application=application, agent=agent, actor=request.user
        ),
        _("The application is assigned to %(name)s.")
        % {"name": agent.get_full_name() or agent.email},
    )
    return _back(application)


@requires(can_use_back_office)
@require_POST
def application_unassign(request: HttpRequest, reference: str) -> HttpResponse:
    application = agent_application_get(request, reference)
    service_attempt(
        request,
        lambda: services.application_unassign(application=application, actor=request.user),
        _("The application is assigned to nobody now."),
    )
    return _back(application)


@requires(can_use_back_office)
@require_POST
def application_follow(request: HttpRequest, reference: str) -> HttpResponse:
    application = agent_application_get(request, reference)
    service_attempt(
        request,
        lambda: services.application_follow(application=application, actor=request.user),
        _("You follow this application: it is in your list « Followed by me »."),
    )
    return _back(application)


@requires(can_use_back_office)
@require_POST
def application_unfollow(request: HttpRequest, reference: str) -> HttpResponse:
    application = agent_application_get(request, reference)
    service_attempt(
        request,
        lambda: services.application_unfollow(application=application, actor=request.user),
        _("You no longer follow this application."),
    )
    return _back(application)


# --- Notes ---------------------------------------------------------------------------------------


class AnnotationForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("New note"),
        help_text=gettext_lazy(
            "Facts useful to the instruction, written as the person could read them."
        ),
        max_length=services.ANNOTATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@requires(can_use_back_office)
@require_POST
def application_annotate(request: HttpRequest, reference: str) -> HttpResponse:
    application = agent_application_get(request, reference)
    form = AnnotationForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("The note was not saved: write it first, in %(limit)s characters at most.")
            % {"limit": services.ANNOTATION_MAX_LENGTH},
        )
        return _back(application)
    service_attempt(
        request,
        lambda: services.annotation_create(
            application=application, actor=request.user, body=form.cleaned_data["body"]
        ),
        _("The note is saved."),
    )
    return _back(application)


@requires(can_use_back_office)
@require_safe
@never_cache
def application_annotations_export(request: HttpRequest, reference: str) -> HttpResponse:
    """The dossier's notes as CSV, for a request of the person (GDPR art. 15, CRPA L. 311-6);
    the export is logged as an access to personal data."""
    application = agent_application_get(request, reference)
    try:
        export = services.annotations_export(application=application, actor=request.user)
    except DomainError as error:
        show_refusal(request, error)
        return _back(application)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Application"), _("Written at"), _("Written by"), _("Note")])
    for annotation in export.annotations:
        writer.writerow(
            [
                application.reference,
                timezone.localtime(annotation.created_at).isoformat(timespec="minutes"),
                neutralised(annotation.author.get_full_name() or annotation.author.email),
                neutralised(annotation.body),
            ]
        )
    # A BOM, so that a spreadsheet reads the accents.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="notes-{application.reference}.csv"'
    return response


# --- Team load (supervisors) ---------------------------------------------------------------------


@requires(is_prefecture_supervisor)
@require_safe
def team(request: HttpRequest) -> HttpResponse:
    """Open dossiers per agent of the supervisor's prefecture, the oldest, and the unassigned."""
    return render(
        request,
        "applications/backoffice/workbench/team.html",
        {"prefecture": request.user.prefecture, "load": team_load(request.user.prefecture_id)},
    )
