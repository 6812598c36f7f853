"""The queue's saved views and bulk actions (issue 20).

Saved views: POSTs to save the queue's current filters under a name, or to delete one of the
agent's own views (another's is a 404). Bulk actions: the queue's form posts the ids ticked and
the action; this page then asks what the action needs (the agent, the missing piece, the
cards' numbers) and shows the dossiers found, and its confirmation applies the action through
`applications.workbench.bulk` and shows what was done and what failed, dossier by dossier.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.permissions import can_use_back_office, is_prefecture_supervisor, requires
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.views.queue_forms import (
    AssignForm,
    BulkChooseForm,
    CorrectionForm,
    HandoverForm,
    SavedViewForm,
)
from applications.workbench import bulk
from applications.workbench.saved_views import (
    queue_query_cleaned,
    saved_view_create,
    saved_view_delete,
    saved_view_list,
)


def _queue(query: str = "") -> HttpResponse:
    query = queue_query_cleaned(query)
    return redirect(reverse("backoffice:home") + (f"?{query}" if query else ""))


# --- Saved views ---------------------------------------------------------------------------------


@requires(can_use_back_office)
@require_POST
def saved_view_create_view(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    query = request.POST.get("query", "")
    if not form.is_valid():
        messages.error(
            request, _("The view was not saved: give it a name of 60 characters at most.")
        )
        return _queue(query)
    try:
        view = saved_view_create(
            agent=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
        )
    except DomainError as error:
        show_refusal(request, error)
        return _queue(query)
    messages.success(
        request, _("The view « %(name)s » is saved above the queue.") % {"name": view.name}
    )
    return _queue(view.query)


@requires(can_use_back_office)
@require_POST
def saved_view_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(saved_view_list(request.user), pk=pk)
    try:
        saved_view_delete(view=view, actor=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("The view « %(name)s » is deleted.") % {"name": view.name})
    return _queue()


# --- Bulk actions --------------------------------------------------------------------------------


def _parameters_form(request: HttpRequest, action: str, found: dict, data):
    """The form of what `action` needs, bound to `data` (None: unbound), or None."""
    if action == bulk.ASSIGN:
        return AssignForm(data, prefecture_id=request.user.prefecture_id)
    if action == bulk.REQUEST_CORRECTION:
        grounds = {application.ground_id for application in found.values()}
        return CorrectionForm(data, ground_ids=grounds)
    if action == bulk.CARD_HANDED_OVER:
        applications = sorted(found.values(), key=lambda application: application.reference)
        return HandoverForm(data, applications=applications)
    return None


def _options(action: str, form) -> dict:
    if form is None:
        return {}
    data = form.cleaned_data
    if action == bulk.ASSIGN:
        return {"assignee": data["agent"]}
    if action == bulk.REQUEST_CORRECTION:
        return {k: data[k] for k in ("document_type", "message", "deadline")}
    return {"handed_over_on": data["handed_over_on"], "cards": form.cards()}


@requires(can_use_back_office)
@require_POST
@never_cache
def bulk_action(request: HttpRequest) -> HttpResponse:
    """First POST (from the queue): what the action needs, and the dossiers found. Second POST
    (`confirm`): the action, one transaction per dossier, and its report."""
    supervisor = is_prefecture_supervisor(request.user)
    choose = BulkChooseForm(request.POST, supervisor=supervisor)
    back = request.POST.get("return_query", "")
    if not choose.is_valid():
        messages.error(request, _("Choose an action among those offered, then tick applications."))
        return _queue(back)
    action = choose.cleaned_data["action"]
    try:
        ids = bulk.bulk_ids_cleaned(choose.ids())
    except DomainError as error:
        show_refusal(request, error)
        return _queue(back)
    found = bulk.bulk_applications(request.user, ids)
    confirmed = "confirm" in request.POST
    form = _parameters_form(request, action, found, request.POST if confirmed else None)
    if confirmed and (form is None or form.is_valid()):
        try:
            report = bulk.bulk_apply(
                actor=request.user, action=action, ids=ids, **_options(action, form)
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            return render(
                request,
                "applications/backoffice/bulk_report.html",
                {"report": report, "action_label": dict(choose.fields["action"].choices)[action]},
            )
    return render(
        request,
        "applications/backoffice/bulk_confirm.html",
        {
            "action": action,
            "action_label": dict(choose.fields["action"].choices)[action],
            "ids": ids,
            "found": sorted(found.values(), key=lambda application: application.reference),
            "not_found_count": len(ids) - len(found),
            "form": form,
            "return_query": queue_query_cleaned(back),
        },
        status=400 if confirmed else 200,
    )
