"""The service's accessibility statement, at /accessibility/ (no namespace), included at the
root by `anef.urls`.

The page is the service's own (`anef.pages`); its feedback channel is the contact centre's form,
so support passes in the ticket category the form opens with: anef's plumbing knows nothing of
tickets (docs/architecture.md).
"""

from django.urls import path

from anef import pages
from support.enums import TicketCategory

urlpatterns = [
    path(
        "accessibility/",
        pages.accessibility_statement,
        {"report_category": TicketCategory.ACCESSIBILITY},
        name="accessibility_statement",
    ),
]
