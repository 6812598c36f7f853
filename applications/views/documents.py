"""Serving a supporting document: only to those entitled, never through a public URL."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from anef import holds, uploads
from applications.consultations import consulted
from applications.selectors import document_list_visible_to


@never_cache
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """Stream the file after checking who asks: the owner or an agent of the dossier's
    prefecture; anyone else gets a 404, as if the document did not exist. A document deleted at
    the end of the retention period answers 410 Gone with a page that says when."""
    if not request.user.is_authenticated:
        raise Http404
    document = get_object_or_404(document_list_visible_to(request.user), pk=pk)
    if (hold := holds.hold_for(request.user)) is not None:  # issue 15
        return render(request, hold.template, {"held_until": hold.until}, status=403)
    if document.is_purged:
        return render(
            request, "applications/document_purged.html", {"document": document}, status=410
        )
    # An agent's opening is shown to the person (/me/consultations/, issue 8); the person's
    # own downloads and a helper's (audited with the mandate) are not logged here.
    consulted(viewer=request.user, application=document.application, document=document)
    return uploads.file_response(
        document.file,
        content_type=document.content_type,
        name=document.original_name,
        inline=request.GET.get("inline") is not None,
    )
