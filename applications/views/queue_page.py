"""The agent queue (/agents/, the back office's home page): the prefecture's filed dossiers,
filtered and paginated, in a constant number of queries, kept in the page cache in parts
(issue 19).

A write to one dossier used to throw the whole kept page away, and every render paid for the
page's filters, saved views, bulk form, count and 25 rows. The page is now kept in three layers,
each under the generations of what it shows (anef/generations.py, anef/page_cache.py):

- the **page** itself (`page_cached`), under the queue's listing, the agent's own generation
  and the rows shown: served as it is while none of them moved;
- the **frame** (`kept_part`): everything but the rows — the filters, the saved views, the
  count, the rows' ids and the pagination — under the listing and the agent's generation only,
  so a write to a row leaves it as it is. Within it, the **chrome** (all but the listing: the
  filters, the saved views, the bulk form's choice of action) is kept under the agent's
  generation alone, so a change of the list renders the count, the table and the pagination
  (`_queue_listing.html`), not the filter form's widgets;
- each **row** (`kept_rows`), under its row's generation and the agent's: only the rows whose
  generation moved are read (their columns) and rendered again.

Order of the reads: the listing's generations, then which rows the page shows (ids), then the
rows' generations (`rows_shown`), then the missing rows' columns. A change committed after a
generation was read bumps it again: nothing is kept under a newer generation with older data.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from accounts.permissions import can_use_back_office, is_prefecture_supervisor, requires
from anef import generations
from anef.page_cache import kept_part, kept_rows, page_cached, prefecture_queue, rows_shown
from applications.selectors import QueueFilters, backoffice_queue, backoffice_queue_listing
from applications.views.backoffice_forms import QueueFilterForm
from applications.views.queue_forms import BulkChooseForm, SavedViewForm
from applications.views.queue_rows import QUEUE_PAGE_SIZE, ShownRow, queue_rows_rendered
from applications.workbench.saved_views import queue_query_cleaned, saved_view_list

# Where the frame's rows go, and where the chrome's listing goes (HTML comments nothing else
# writes).
ROWS_MARKER = "<!--anef-queue-rows-9f2c41-->"
LISTING_MARKER = "<!--anef-queue-listing-5b81e0-->"


def agent_queue(request: HttpRequest) -> list[str]:
    """The prefecture's dossiers, and the agent's own generation: the dossiers they follow
    (issue 20) and their saved views show on their queue only."""
    return [*prefecture_queue(request), generations.person_key(request.user.pk)]


@dataclass(frozen=True)
class _Listed:
    """The rows of one page of the queue (dossier and applicant ids) and the queue's count."""

    count: int
    number: int
    rows: list


@dataclass(frozen=True)
class _Frame:
    """The page without its rows (`ROWS_MARKER` in their place), and what the rows need."""

    filters: QueueFilters
    listed: _Listed
    html: str


class _Fixed:
    """A page's rows already read, as the paginator's list: its count, and the page's slice."""

    def __init__(self, listed: _Listed):
        self.listed = listed

    def count(self) -> int:
        return self.listed.count

    def __len__(self) -> int:
        return self.listed.count

    def __getitem__(self, index):
        return self.listed.rows


def _listing(listing, page_number) -> _Listed:
    paginator = Paginator(listing, QUEUE_PAGE_SIZE)
    page = paginator.get_page(page_number)
    return _Listed(paginator.count, page.number, list(page.object_list))


def _rows(request: HttpRequest, filters: QueueFilters, listed: _Listed) -> list[ShownRow]:
    """The page's rows: their generations read first, then the HTML kept per row, the missing
    rows read and rendered."""
    row_keys = {pk: generations.person_key(applicant) for pk, applicant in listed.rows}
    rows_shown(request, list(row_keys.values()))
    html = kept_rows(
        request,
        row_keys,
        lambda pks: queue_rows_rendered(
            backoffice_queue(request.user, filters), pks, viewer=request.user
        ),
        depends_on=[generations.person_key(request.user.pk)],
    )
    # A row moved out or deleted between the reads is left out.
    return [ShownRow(pk, html[pk]) for pk, _applicant in listed.rows if pk in html]


@dataclass(frozen=True)
class _Chrome:
    """The page without its listing (`LISTING_MARKER` in its place): the filters, the saved
    views, the links; and the bulk form's choice of action, which the listing shows."""

    html: str
    bulk_action: str


def _chrome(request: HttpRequest, form: QueueFilterForm) -> _Chrome:
    supervisor = is_prefecture_supervisor(request.user)
    bulk_form = BulkChooseForm(supervisor=supervisor)
    html = render_to_string(
        "applications/backoffice/home.html",
        {
            "prefecture": request.user.prefecture,
            "is_supervisor": supervisor,
            "form": form,
            "listing_html": mark_safe(LISTING_MARKER),  # noqa: S308 (a constant)
            "saved_views": list(saved_view_list(request.user)),
            "current_query": queue_query_cleaned(request.GET.urlencode()),
            "saved_view_form": SavedViewForm(),
        },
        request,
    )
    action = render_to_string("applications/backoffice/_field.html", {"field": bulk_form["action"]})
    return _Chrome(html, action)


def _frame(request: HttpRequest, shown: list) -> _Frame:
    """Render the whole page, its rows included (`shown` receives them), and keep the page
    without them. The chrome (all but the listing) is kept apart under the agent's own
    generation: a change of the list renders the listing alone."""
    form = QueueFilterForm(request.GET or None)
    filters = form.queue_filters()
    chrome = kept_part(
        request,
        f"queue-chrome:{request.user.prefecture_id}",
        [generations.person_key(request.user.pk)],
        lambda: _chrome(request, form),
    )
    listed = _listing(backoffice_queue_listing(request.user, filters), request.GET.get("page"))
    paginator = Paginator(_Fixed(listed), QUEUE_PAGE_SIZE)
    page = paginator.page(listed.number)
    shown.extend(_rows(request, filters, listed))
    listing = render_to_string(
        "applications/backoffice/_queue_listing.html",
        {
            "page_obj": page,
            "rows": shown,
            "rows_html": mark_safe(ROWS_MARKER),  # noqa: S308 (a constant)
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "ellipsis": paginator.ELLIPSIS,
            "current_query": queue_query_cleaned(request.GET.urlencode()),
            "bulk_action_html": mark_safe(chrome.bulk_action),  # noqa: S308 (rendered above)
        },
        request,
    )
    return _Frame(filters, listed, chrome.html.replace(LISTING_MARKER, listing))


@requires(can_use_back_office)
@require_safe
@page_cached(depends_on=agent_queue, query=("status", "ground", "kind", "order", "page", "scope"))
def home(request: HttpRequest) -> HttpResponse:
    """The queue: the frame kept under the listing (else rendered, rows and all), then the rows
    of a kept frame, each kept under its own generation (see the module's docstring)."""
    shown: list[ShownRow] = []
    rendered = []

    def frame_rendered() -> _Frame:
        rendered.append(True)
        return _frame(request, shown)

    frame = kept_part(request, "queue-frame", agent_queue(request), frame_rendered)
    if not rendered:  # the frame was kept: its rows now
        shown = _rows(request, frame.filters, frame.listed)
    return HttpResponse(frame.html.replace(ROWS_MARKER, "".join(row.markup for row in shown)))
