"""The agent's queue exports (issue 20): asking for one from the queue's filters, following its
progress on « My exports », downloading the file. Only the agent who asked sees or downloads it:
anyone else's export is a 404, as if it did not exist."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.permissions import can_use_back_office, requires
from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.exports.models import EXPORT_LIFETIME_HOURS, ExportFormat, ExportStatus
from applications.exports.selectors import any_in_progress, export_list_of
from applications.exports.services import queue_export_downloaded, queue_export_request
from applications.views.backoffice_forms import QueueFilterForm

REFRESH_SECONDS = 5
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportFormatForm(forms.Form):
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format of the file"),
        choices=ExportFormat.choices,
        initial=ExportFormat.XLSX,
        widget=forms.RadioSelect,
    )


def _filters_shown(form: QueueFilterForm) -> list[tuple[str, str]]:
    """The filters in force, as the agent chose them on the queue (label, value shown)."""
    if not form.is_bound:
        return []
    form.is_valid()
    shown = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        if isinstance(field, forms.ChoiceField):
            value = dict(field.choices).get(value, value)
        shown.append((field.label, value))
    return shown


@requires(can_use_back_office)
@require_http_methods(["GET", "POST"])
def export_new(request: HttpRequest) -> HttpResponse:
    """GET: the filters of the queue page it comes from, and the choice of a format. POST: the
    export is recorded and built in the background; the agent goes to « My exports »."""
    data = request.POST if request.method == "POST" else request.GET
    filters_form = QueueFilterForm(data or None)
    format_form = ExportFormatForm(request.POST or None)
    if request.method == "POST" and format_form.is_valid():
        try:
            queue_export_request(
                agent=request.user,
                filters=filters_form.queue_filters(),
                file_format=format_form.cleaned_data["file_format"],
                language=get_language() or "fr",
            )
        except DomainError as error:
            show_refusal(request, error)
        else:
            messages.success(
                request, _("Your export is being prepared. This page shows its progress.")
            )
        return redirect("backoffice:exports")
    return render(
        request,
        "applications/backoffice/export_new.html",
        {
            "filters_form": filters_form,
            "format_form": format_form,
            "filters_shown": _filters_shown(filters_form),
            "prefecture": request.user.prefecture,
            "lifetime_hours": EXPORT_LIFETIME_HOURS,
        },
    )


@requires(can_use_back_office)
@require_safe
@never_cache
def exports(request: HttpRequest) -> HttpResponse:
    """The agent's own exports of the last 24 hours; refreshed every few seconds while one is
    being prepared (no JavaScript needed)."""
    rows = list(export_list_of(request.user))
    return render(
        request,
        "applications/backoffice/exports.html",
        {
            "exports": rows,
            "refresh_seconds": REFRESH_SECONDS if any_in_progress(rows) else None,
            "lifetime_hours": EXPORT_LIFETIME_HOURS,
            "done": ExportStatus.DONE,
            "failed": ExportStatus.FAILED,
        },
    )


@requires(can_use_back_office)
@require_safe
@never_cache
def export_download(request: HttpRequest, pk) -> HttpResponse:
    """The file, to the agent who asked for it only; logged as an access to personal data."""
    export = get_object_or_404(export_list_of(request.user), pk=pk, status=ExportStatus.DONE)
    queue_export_downloaded(export=export, actor=request.user)
    response = FileResponse(
        export.file.open("rb"),
        content_type=CONTENT_TYPES[ExportFormat(export.file_format)],
        as_attachment=True,
        filename=export.download_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
