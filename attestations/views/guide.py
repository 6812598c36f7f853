"""The checker's guide (issue 21): what a deposit receipt, an API and an ADF prove, for whom,
on which texts, and what to do when a check is unclear. Public, no account, in the reader's
language; `/verify/guide/print/` is the same text on a bare page for printing (the screen page
prints cleanly too, with its print stylesheet)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from attestations import unclear


def _context() -> dict:
    return {
        "answer_days": unclear.answer_delay_days(),
        "contact_url": unclear.checker_contact_url(),
        "guide_url": unclear.guide_url(),
        "contact_phone": settings.CONTACT_PHONE,
    }


@require_safe
def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "attestations/guide/guide.html", _context())


@require_safe
def guide_print(request: HttpRequest) -> HttpResponse:
    return render(request, "attestations/guide/print.html", _context())
