"""A NUL character in the address is refused with a 400 before any view runs (issue 8, found by
fuzzing): PostgreSQL refuses NUL in a query, so a page looking up `/portal/applications/A%00/`
would answer 500. Forms already refuse NUL (Django's form fields); the API answers its own
documented 404/400 (applications/api/views.py `_get`), so /api/ is left to it.
"""

from django.core.exceptions import SuspiciousOperation

API_PREFIX = "/api/"


class RejectNulCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX) and (
            "\x00" in request.path
            or any("\x00" in key or "\x00" in value for key, value in request.GET.items())
        ):
            # Handled by Django as a 400 (templates/400.html) and logged to django.security.
            raise SuspiciousOperation("NUL character in the address")
        return self.get_response(request)
