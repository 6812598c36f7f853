"""Public pages of the service itself (not of one app): the accessibility statement.

Routed by `support.urls_pages`, which passes in what belongs to support (the category of the
contact form that reports a problem)."""

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

# The day the statement was written; it changes only when the statement is rewritten (RGAA
# model: "Cette déclaration a été établie le …").
STATEMENT_DATE = datetime.date(2026, 11, 28)


@require_GET
def accessibility_statement(request: HttpRequest, report_category: str) -> HttpResponse:
    """The accessibility statement required of a public online service (loi n° 2005-102 du
    11 février 2005, art. 47; décret n° 2019-768): conformity status, what is checked, known
    limits, how to report a problem (the contact form, opened on `report_category`) and the
    recourse to the Défenseur des droits."""
    return render(
        request,
        "pages/accessibility.html",
        {
            "statement_date": STATEMENT_DATE,
            "report_category": report_category,
        },
    )
