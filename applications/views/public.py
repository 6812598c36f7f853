"""Public pages of the dossier app, no account needed: how long decisions take, per prefecture
and ground (issue 18), computed from the decisions taken, like USCIS's processing-times page.
Only counts and days are shown: nothing about any person."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from applications.processing_times import (
    PROCESSING_MIN_DECISIONS,
    ground_times_public,
    prefecture_list_public,
)
from applications.rules import PROCESSING_WINDOW_DAYS
from reference.models import Prefecture

TEMPLATES = "applications/public/"


@require_GET
def processing_times_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "processing_times_index.html",
        {"prefectures": prefecture_list_public(), "window_days": PROCESSING_WINDOW_DAYS},
    )


@require_GET
def processing_times_prefecture(request: HttpRequest, code: str) -> HttpResponse:
    prefecture = get_object_or_404(Prefecture, code=code)
    times, rows = ground_times_public(prefecture)
    return render(
        request,
        TEMPLATES + "processing_times_prefecture.html",
        {
            "prefecture": prefecture,
            "times": times,
            "rows": rows,
            "minimum": PROCESSING_MIN_DECISIONS,
            "window_days": PROCESSING_WINDOW_DAYS,
        },
    )
