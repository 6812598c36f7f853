"""URLs of the load bench (bench/load_settings.py): the portal's, plus the ceiling.

The ceiling is the barest Django view there is, a tiny `HttpResponse`, behind the same
middleware and served by the same gunicorn as the pages measured: what they cost above it is
theirs (URL resolution, session, user, queries, templates).
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from anef.urls import handler404, handler500  # noqa: F401
from anef.urls import urlpatterns as portal_urlpatterns


def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling, name="bench_ceiling"), *portal_urlpatterns]
