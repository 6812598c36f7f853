"""Serving a supporting document: only to those entitled, never through a public URL."""

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from applications.selectors import document_list_visible_to


@never_cache
@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    """Stream the file after checking who asks: the owner or an agent of the dossier's
    prefecture; anyone else gets a 404, as if the document did not exist."""
    if not request.user.is_authenticated:
        raise Http404
    document = get_object_or_404(document_list_visible_to(request.user), pk=pk)
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=request.GET.get("inline") is None,
        filename=document.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
