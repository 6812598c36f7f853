"""A NUL character in the address is refused with a 400 before any view runs (issue 8, found by
fuzzing): PostgreSQL refuses NUL in a query, so a page looking up `/portal/applications/A%00/`
would answer 500. Forms already refuse NUL (Django's form fields); the API answers its own
documented 404 for an address (applications/api/views/_common.py `_get`), so an /api/ address is
left to it. A NUL in an API query value (`/api/v1/support/tickets/?search=a%00`, issue 15: a 500 on
PostgreSQL) is the API's error shape, a 400, here for every endpoint: the API views read query
values straight from `request.query_params`, not through form fields that refuse NUL.

The 400 for a page is answered here rather than by raising SuspiciousOperation: Django logs that
at ERROR with a full traceback, for what is only a client's mistake (or a scanner). Answered
here, the 400 is logged by Django's handler as one WARNING line without a traceback (issue 17).
"""

from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse
from django.urls import get_resolver
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class RejectNulCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        in_query = any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        )
        if request.path.startswith(API_PREFIX):
            if in_query:
                return JsonResponse(
                    {
                        "code": "bad_request",
                        "message": _("The request could not be read."),
                        "details": {},
                    },
                    status=400,
                )
        elif "\x00" in request.path or in_query:
            # The project's 400 page (templates/400.html), in the person's language; Django's
            # handler logs it once, "Bad Request: <path>", at WARNING (django.request).
            bad_request = get_resolver().resolve_error_handler(400)
            return bad_request(request, SuspiciousOperation("NUL character in the address"))
        return self.get_response(request)
