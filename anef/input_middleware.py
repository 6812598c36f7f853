"""A NUL character in the address is refused with a 400 before any view runs (issue 8, found by
fuzzing): PostgreSQL refuses NUL in a query, so a page looking up `/portal/applications/A%00/`
would answer 500. Forms already refuse NUL (Django's form fields); the API answers its own
documented 404/400 (applications/api/views.py `_get`), so /api/ is left to it.

The 400 is answered here rather than by raising SuspiciousOperation: Django logs that at ERROR
with a full traceback, for what is only a client's mistake (or a scanner). Answered here, the
400 is logged by Django's handler as one WARNING line without a traceback (issue 17).
"""

from django.core.exceptions import SuspiciousOperation
from django.urls import get_resolver

API_PREFIX = "/api/"


class RejectNulCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX) and (
            "\x00" in request.path
            or any("\x00" in key or "\x00" in value for key, value in request.GET.items())
        ):
            # The project's 400 page (templates/400.html), in the person's language; Django's
            # handler logs it once, "Bad Request: <path>", at WARNING (django.request).
            bad_request = get_resolver().resolve_error_handler(400)
            return bad_request(request, SuspiciousOperation("NUL character in the address"))
        return self.get_response(request)
