"""Project-level pages: home, health, plain-language error pages."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from anef.health import check_scheduler, run_checks
from applications.selectors import ground_list_offered


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Public home page: what the service does, how to start, how to reach a human."""
    return render(request, "home.html", {"grounds": ground_list_offered()})


@never_cache
@require_GET
def healthz_live(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No dependency is checked, so that a database outage does
    not get every web server restarted by its orchestrator."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def healthz_ready(request: HttpRequest) -> JsonResponse:
    """Readiness (also served at /healthz): 503, naming what failed, when the database, the
    broker or the storage does not answer. The scheduler is reported but never fails it."""
    healthy, body = run_checks()
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def healthz_scheduler(request: HttpRequest) -> JsonResponse:
    """503 with the heartbeat's age when beat (or every worker) has stopped."""
    healthy, body = check_scheduler()
    return JsonResponse(body, status=200 if healthy else 503)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A plain-language page for people; a JSON body for API clients (DESIGN.md §4)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "not_found", "message": _("Not found."), "details": {}}, status=404
        )
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page must render even when the database is down: no context processors."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(
        template.render(
            {"CONTACT_PHONE": settings.CONTACT_PHONE, "CONTACT_EMAIL": settings.CONTACT_EMAIL}
        )
    )
