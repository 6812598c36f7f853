"""What the back office's dossier actions share: finding the dossier among those the agent may
see, running one service with its refusal told in plain words (the contact centre's pages use
that one too), and going back to the section of the dossier page the action came from."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from anef.errors import DomainError
from anef.page_errors import show_refusal
from applications.models import Application
from applications.selectors import application_list_visible_to


def agent_application_get(request: HttpRequest, reference: str) -> Application:
    """The dossier if it belongs to the agent's prefecture; otherwise a 404."""
    return get_object_or_404(application_list_visible_to(request.user), reference=reference)


def dossier_section(application: Application, anchor: str) -> HttpResponse:
    """Back to the dossier page, at the section `anchor`."""
    return redirect(
        reverse("backoffice:application_detail", args=[application.reference]) + f"#{anchor}"
    )


def service_attempt(
    request: HttpRequest, call: Callable[[], Any], success: str | None = None
) -> bool:
    """Run one service; on refusal, tell the person why in plain words, else `success` (if
    given). True if it went through (the service runs in its own transaction: a refusal rolled
    it back). The contact centre's pages (support, above this app) use it too."""
    try:
        call()
    except DomainError as error:
        show_refusal(request, error)
        return False
    if success:
        messages.success(request, success)
    return True
