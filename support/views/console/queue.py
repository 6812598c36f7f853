"""The console's home: the queues by subject and status with their figures, and the filtered,
paginated list of tickets (only the columns it shows; the page is kept in the page cache)."""

from typing import NamedTuple

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.permissions import can_use_support_console, requires
from anef.page_cache import console_queue, page_cached
from support.enums import TicketCategory, TicketChannel, TicketPriority, TicketStatus
from support.models import Ticket
from support.selectors import STATUS_COLUMNS, queue_figures, ticket_queue
from support.views.forms import ConsoleFilterForm

QUEUE_PAGE_SIZE = 25
# Labels once per process (lazy: translated when shown), not `get_FOO_display` per row and field.
_LABELS = {
    "status": dict(TicketStatus.choices),
    "category": dict(TicketCategory.choices),
    "channel": dict(TicketChannel.choices),
    "priority": dict(TicketPriority.choices),
}
# The columns the console's list shows, and nothing else (a ticket row holds its whole history).
QUEUE_COLUMNS = (
    "number",
    "channel",
    "category",
    "status",
    "priority",
    "name",
    "email",
    "phone",
    "first_response_due_at",
    "first_responded_at",
    "resolution_due_at",
    "resolved_at",
    "sla_paused_at",  # a paused clock is not late (issue 21)
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
)


class ConsoleRow(NamedTuple):
    """One ticket of the list, and whether it is late."""

    ticket: Ticket
    late: bool

    def _label(self, field: str):
        value = getattr(self.ticket, field)
        return _LABELS[field].get(value, value)

    @property
    def status_label(self):
        return self._label("status")

    @property
    def category_label(self):
        return self._label("category")

    @property
    def channel_label(self):
        return self._label("channel")

    @property
    def priority_label(self):
        return self._label("priority")


@requires(can_use_support_console)
@require_safe
@page_cached(depends_on=console_queue, query=("status", "category", "assignee", "overdue", "page"))
def home(request: HttpRequest) -> HttpResponse:
    """Queues by subject and status, with their figures; the filtered list of tickets."""
    now = timezone.now()
    form = ConsoleFilterForm(request.GET or None)
    figures = queue_figures(now)
    tickets = ticket_queue(request.user, form.filters(), now)
    # Only the assignee is shown: no join to the prefecture, no column the list does not show.
    tickets = tickets.select_related(None).select_related("assignee").only(*QUEUE_COLUMNS)
    paginator = Paginator(tickets, QUEUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "support/console/home.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [
                ConsoleRow(
                    ticket, ticket.first_response_overdue(now) or ticket.resolution_overdue(now)
                )
                for ticket in page
            ],
            "figures": figures,
            # Each figure's count per status column (None: no such ticket), in the columns'
            # order: one loop in the template, not a search of the counts per cell.
            "figure_rows": [
                (figure, [(status, figure.by_status.get(status)) for status, _ in STATUS_COLUMNS])
                for figure in figures
            ],
            "status_columns": STATUS_COLUMNS,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "ellipsis": paginator.ELLIPSIS,
        },
    )
