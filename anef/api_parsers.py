"""The one JSON parser of the API: a body nested deeper than `API_JSON_MAX_DEPTH` is a 400 with a
clear message (issue 15: `[[[[…]]]]` blew Python's recursion limit and answered 500, even
anonymously on /api/v1/verify/token/). No endpoint needs more than a few levels."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _too_deep(value, limit: int) -> bool:
    """Iterative, so that checking never recurses itself."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_JSON_MAX_DEPTH
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(self._message(limit)) from exc
        if _too_deep(data, limit):
            raise ParseError(self._message(limit))
        return data

    @staticmethod
    def _message(limit: int) -> str:
        return _("The JSON body is nested too deeply (at most %(limit)d levels).") % {
            "limit": limit
        }
