"""The API documentation pages (issue 18).

`/api/docs/` is a page of this site, in the reader's language and with its `lang` and `dir`:
what the API is for, where its OpenAPI schema is, and a plain HTML list of every endpoint, read
from the same schema as the explorer. `/api/docs/explorer/` is drf-spectacular's Swagger UI (a
third-party page, in English), declared `lang="en"`, with deep links turned off (they put a link
inside each operation's button: nested interactive elements) and its colours darkened to pass
WCAG AA contrast (`static/css/swagger.css`)."""

from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _summary(operation: dict) -> str:
    text = operation.get("summary") or operation.get("description") or ""
    return text.strip().split("\n\n")[0].replace("\n", " ")


@lru_cache(maxsize=1)
def api_endpoint_groups() -> tuple[tuple[str, tuple[dict, ...]], ...]:
    """Every operation of the public schema, grouped by its first tag, in the schema's order:
    `((tag, ({"method", "path", "summary", "operation_id"}, …)), …)`. The schema does not change
    while the process runs: computed once."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    groups: dict[str, list[dict]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["api"])[0]
            groups.setdefault(tag, []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": _summary(operation),
                    "operation_id": operation.get("operationId", ""),
                }
            )
    return tuple((tag, tuple(rows)) for tag, rows in sorted(groups.items()))


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    """The API's documentation as a page of this site: the endpoints as an accessible list."""
    return render(request, "api/docs.html", {"groups": api_endpoint_groups()})
