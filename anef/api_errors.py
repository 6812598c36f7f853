"""One shape for every API error: `{"code": "...", "message": "...", "details": {...}}`.

DRF's own handler turns its exceptions, `Http404` and `PermissionDenied` into responses; this one
also maps the domain's one error (`anef.errors.DomainError`, with the status it carries: the
workflow engine's refused transitions are DomainErrors answered with 409), Django's model
validation and the request-size guards, then rewrites every body to the same shape. A client
reads `code` (stable, English), shows `message` (plain language, in the request's language)
and may use `details` (which fields, which file, which documents are missing). API views call
services and let refusals rise here: no per-view try/except. Anything else (a bug) is left to
Django: a 500 that says nothing of it.
"""

from typing import Any

from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import (
    ValidationError as DjangoValidationError,
)
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from anef.errors import DomainError


# The schema of `error_body`: the one component (`Error`) every app's API documents its refusals
# with. Its docstring is the component's description in the committed schema.
class ErrorSerializer(serializers.Serializer):
    """The body of every error response (anef/api_errors.py)."""

    code = serializers.CharField(
        help_text="Stable machine-readable code, e.g. `duplicate`, `missing_documents`, "
        "`transition_not_allowed`, `invalid`, `not_found`."
    )
    message = serializers.CharField(help_text="Plain-language explanation for the person.")
    details = serializers.DictField(
        help_text="Context: invalid fields and their messages, the file concerned, the missing "
        "documents, the existing application's reference…"
    )


def error_body(code: str, message: Any, details: dict | None = None) -> dict:
    return {"code": code, "message": force_str(message), "details": _plain(details or {})}


def _plain(value: Any) -> Any:
    """Lazy translations and other objects become JSON-friendly values."""
    if isinstance(value, dict):
        return {force_str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, Promise):
        return force_str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return force_str(value)


def _domain_response(exc: Exception) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.params), status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        details = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response(
            error_body("invalid", _("Some values are not valid."), details),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("request_too_large", _("The request is too large.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):  # too many fields or files, malformed headers
        return Response(
            error_body("bad_request", _("The request could not be read.")),
            status=status.HTTP_400_BAD_REQUEST,
        )
    return None


def _validation_message(detail: Any) -> str:
    if isinstance(detail, dict):
        fields = [name for name in detail if name != "non_field_errors"]
        if fields:
            return _("Some fields are missing or not valid: %(fields)s.") % {
                "fields": ", ".join(fields)
            }
        messages = detail.get("non_field_errors") or []
        if messages:
            return force_str(messages[0])
    return _("The request is not valid.")


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER. Unknown exceptions still return None (a real 500, logged):
    only bugs end there, never bad input."""
    response = _domain_response(exc)
    if response is not None:
        set_rollback()
        return response

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("invalid", _validation_message(detail), detail)
        return response

    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        message = exc.detail if isinstance(exc.detail, str) else exc.default_detail
    else:  # Http404 and PermissionDenied, already converted by DRF
        code = "not_found" if response.status_code == 404 else "permission_denied"
        message = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    details: dict[str, Any] = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        details["wait"] = exc.wait
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF answers 403 when session auth comes first; 401 with a challenge is what a client
        # needs to know that signing in (or a token) would help.
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = "Token"
    response.data = error_body(code, message, details)
    return response
