"""The agent queue in the page cache, by listing and by row (anef/page_cache.py, issue 19): a
change to a dossier refreshes the pages that show its row, a filing, a transfer or a status
change the pages whose list it changes, and nothing else; every filter and order served from
the cache is the page a render gives.

The queue of these tests: 27 filed dossiers in Paris made by the factory (no service, no bump),
first applications filed a day apart, so that the default order (renewals first, then the
filing date) puts the 25 oldest on page 1 and the two newest on page 2.

These tests commit (`transaction=True`): see tests/test_page_cache.py.
"""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anef import generations, page_cache
from applications import services as dossier
from applications.enums import ApplicationStatus, ErrorReportCategory
from applications.models import Application
from applications.views import queue_rows
from applications.workbench import saved_views
from applications.workbench import services as workbench
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.factories import ApplicationFactory
from tests.applications.helpers import started, with_all_documents
from tests.page_cache_helpers import (
    client_of,
    get,
    hit,
    paris,  # noqa: F401 (a fixture)
    without_csrf,
)

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "/agents/"
PAGE_2 = "/agents/?page=2"
LISTED = 27


@pytest.fixture
def agent(paris):  # noqa: F811
    return PrefectureAgentFactory(prefecture=paris)


@pytest.fixture
def queue(paris) -> list[Application]:  # noqa: F811
    """The dossiers in the queue's default order: 25 on page 1, then 2 on page 2."""
    now = timezone.now()
    return [
        ApplicationFactory(
            applicant=ApplicantProfileFactory(postal_code="75011").user,
            status=ApplicationStatus.SUBMITTED,
            filed_at=now - datetime.timedelta(days=LISTED - index),
        )
        for index in range(LISTED)
    ]


def _kept(client, url: str = QUEUE):
    get(client, url)
    assert hit(client, url)[1]


def _row(page, reference: str) -> str:
    """The queue's table row of the dossier `reference`."""
    text = page.content.decode()
    start = text.index(reference)
    return text[text.rindex("<tr", 0, start) : text.index("</tr>", start)]


def _error_report(application: Application) -> None:
    dossier.error_report_create(
        application=application,
        actor=application.applicant,
        category=ErrorReportCategory.OTHER,
        description="My name is misspelt.",
    )


def _found(count: int) -> str:
    return f"{count} applications found."


def test_page_cache_queue_served_page_equals_the_first_render(agent, queue):
    client = client_of(agent)
    first = get(client, QUEUE)
    served, kept = hit(client, QUEUE)
    assert kept
    assert without_csrf(served) == without_csrf(first)
    assert queue[0].reference in served.text


# --- Rows -----------------------------------------------------------------------------------------


def test_page_cache_queue_row_change_refreshes_the_page_showing_it(agent, queue):
    client = client_of(agent)
    _kept(client)
    _error_report(queue[0])
    page, kept = hit(client, QUEUE)
    assert not kept
    assert 'fr-badge--warning">1</p>' in _row(page, queue[0].reference)


def test_page_cache_queue_row_change_on_another_page_keeps_the_page(agent, queue):
    client = client_of(agent)
    _kept(client)
    _error_report(queue[-1])  # on page 2
    assert hit(client, QUEUE)[1]
    assert 'fr-badge--warning">1</p>' in _row(get(client, PAGE_2), queue[-1].reference)


def test_page_cache_queue_evicted_row_generation_renders_the_page_again(agent, queue):
    client = client_of(agent)
    _kept(client)
    cache.delete(generations.person_key(queue[3].applicant_id))  # evicted, Redis restarted
    assert not hit(client, QUEUE)[1]
    assert hit(client, QUEUE)[1]


# --- Statuses -------------------------------------------------------------------------------------


def test_page_cache_queue_status_change_on_another_page_keeps_the_page(agent, queue):
    client = client_of(agent)
    _kept(client)
    dossier.application_mark_complete(application=queue[-1], actor=agent)
    assert hit(client, QUEUE)[1]


def test_page_cache_queue_status_change_shows_in_the_status_filter(agent, queue):
    client = client_of(agent)
    url = f"{QUEUE}?status=complete"
    _kept(client, url)
    assert queue[-1].reference not in get(client, url).text
    dossier.application_mark_complete(application=queue[-1], actor=agent)
    assert queue[-1].reference in get(client, url).text


# --- The list itself ------------------------------------------------------------------------------


def test_page_cache_queue_filing_on_another_page_updates_the_count(agent, queue):
    application = with_all_documents(started(ApplicantProfileFactory(postal_code="75011")))
    client = client_of(agent)
    _kept(client)
    assert _found(LISTED) in get(client, QUEUE).text
    dossier.application_submit(application=application, actor=application.applicant)
    assert _found(LISTED + 1) in get(client, QUEUE).text  # filed today: listed last, on page 2


def test_page_cache_queue_draft_withdrawn_enters_the_queue(agent, queue):
    """A withdrawn draft is listed (the queue lists every dossier but the drafts)."""
    application = started(ApplicantProfileFactory(postal_code="75011"))
    client = client_of(agent)
    _kept(client, PAGE_2)
    dossier.application_withdraw(application=application, actor=application.applicant)
    assert application.reference in get(client, PAGE_2).text


def test_page_cache_queue_transfer_out_updates_the_count_of_the_old_queue(agent, queue):
    client = client_of(agent)
    _kept(client)
    profile = queue[-1].applicant.applicant_profile  # on page 2
    dossier.address_change(
        profile=profile,
        address_line="3 rue de la République",
        postal_code="93200",
        city="Saint-Denis",
        actor=profile.user,
    )
    assert _found(LISTED - 1) in get(client, QUEUE).text


# --- Every filter and order -----------------------------------------------------------------------

URLS = [
    QUEUE,
    PAGE_2,
    f"{QUEUE}?order=filed",
    f"{QUEUE}?order=filed&page=2",
    f"{QUEUE}?status=submitted",
    f"{QUEUE}?status=complete",
    f"{QUEUE}?status=withdrawn",
    f"{QUEUE}?kind=renewal",
    f"{QUEUE}?ground=parent_of_french_child&page=2",
]


def _changes(agent, queue):
    """Changes through the services, of every scope: a row, a status, the list, and the
    workbench's columns of a row (assignee, followed: issue 20)."""
    draft = started(ApplicantProfileFactory(postal_code="75011"))
    to_file = with_all_documents(started(ApplicantProfileFactory(postal_code="75011")))
    moved = queue[-2].applicant.applicant_profile
    colleague = PrefectureAgentFactory(prefecture=agent.prefecture)
    return [
        lambda: workbench.application_assign(application=queue[2], agent=agent, actor=agent),
        lambda: workbench.application_follow(application=queue[3], actor=agent),
        lambda: workbench.application_assign(
            application=queue[4], agent=colleague, actor=colleague
        ),
        lambda: workbench.application_unassign(application=queue[2], actor=agent),
        lambda: _error_report(queue[1]),
        lambda: dossier.application_mark_complete(application=queue[24], actor=agent),
        lambda: dossier.application_submit(application=to_file, actor=to_file.applicant),
        lambda: dossier.foreigner_number_attach(
            profile=queue[-1].applicant.applicant_profile, number="7500000099", actor=agent
        ),
        lambda: dossier.application_withdraw(application=draft, actor=draft.applicant),
        lambda: dossier.address_change(
            profile=moved,
            address_line="3 rue de la République",
            postal_code="93200",
            city="Saint-Denis",
            actor=moved.user,
        ),
    ]


def test_page_cache_queue_every_filter_and_order_served_is_the_page_rendered(agent, queue):
    client = client_of(agent)
    for url in URLS:
        get(client, url)
    for change in _changes(agent, queue):
        change()
        for url in URLS:
            served = get(client, url)
            with override_settings(PAGE_CACHE_ENABLED=False):
                rendered = get(client, url)
            assert without_csrf(served) == without_csrf(rendered), url


# --- Rows and listing kept apart (issue 19) -------------------------------------------------------


def _rows_rendered(monkeypatch) -> list:
    """The ids of the rows rendered (their columns read), call by call."""
    calls = []
    real = queue_rows.queue_rows_rendered

    def spy(queue, pks, *, viewer):
        calls.append(sorted(pks))
        return real(queue, pks, viewer=viewer)

    monkeypatch.setattr("applications.views.queue_page.queue_rows_rendered", spy)
    return calls


def test_page_cache_queue_row_change_renders_that_row_only(agent, queue, monkeypatch):
    client = client_of(agent)
    _kept(client)
    calls = _rows_rendered(monkeypatch)
    _error_report(queue[0])
    page = get(client, QUEUE)
    assert calls == [[queue[0].pk]]
    assert 'fr-badge--warning">1</p>' in _row(page, queue[0].reference)


def test_page_cache_queue_row_change_keeps_the_listing_and_its_count(agent, queue):
    client = client_of(agent)
    _kept(client)
    _error_report(queue[0])
    with CaptureQueriesContext(connection) as captured:
        page = get(client, QUEUE)
    sql = [query["sql"] for query in captured.captured_queries]
    assert [q for q in sql if q.startswith("SELECT COUNT(*)")] == []  # kept with the frame
    assert [q for q in sql if '"applications_savedqueueview"' in q] == []  # the frame's too
    assert _found(LISTED) in page.text


def test_page_cache_queue_saved_view_shows_at_once_on_the_kept_queue(agent, queue):
    """The frame lists the agent's saved views: saving one moves the agent's generation on."""
    client = client_of(agent)
    _kept(client)
    saved_views.saved_view_create(agent=agent, name="Fresh view", query="kind=renewal")
    assert "Fresh view" in get(client, QUEUE).text


def test_page_cache_queue_saved_view_of_a_colleague_never_shows(agent, queue):
    colleague = PrefectureAgentFactory(prefecture=agent.prefecture)
    client = client_of(agent)
    _kept(client)
    saved_views.saved_view_create(agent=colleague, name="Not yours", query="kind=renewal")
    assert "Not yours" not in get(client_of(agent), QUEUE).text


def test_page_cache_queue_assignment_shows_in_its_row_at_once(agent, queue):
    colleague = PrefectureAgentFactory(prefecture=agent.prefecture)
    client = client_of(agent)
    _kept(client)
    workbench.application_assign(application=queue[0], agent=colleague, actor=colleague)
    assert colleague.get_full_name() in _row(get(client, QUEUE), queue[0].reference)


def test_page_cache_queue_follow_shows_in_the_followers_row_at_once(agent, queue):
    client = client_of(agent)
    _kept(client)
    workbench.application_follow(application=queue[0], actor=agent)
    assert "followed" in _row(get(client, QUEUE), queue[0].reference)


def test_page_cache_queue_rows_are_the_agents_own(agent, queue):
    """« Assigned to you » is said to the assignee only, though both agents see the row."""
    colleague = PrefectureAgentFactory(prefecture=agent.prefecture)
    workbench.application_assign(application=queue[0], agent=agent, actor=agent)
    _kept(client_of(agent))
    row = _row(get(client_of(colleague), QUEUE), queue[0].reference)
    assert "Assigned to you" not in row
    assert agent.get_full_name() in row


# --- Read before the columns ----------------------------------------------------------------------


def test_page_cache_queue_reads_row_generations_before_the_rows_columns(agent, queue, monkeypatch):
    client = client_of(agent)
    seen = []
    real = page_cache.rows_shown

    def rows_shown(request, keys):
        seen.append(len(captured.captured_queries))
        real(request, keys)

    monkeypatch.setattr("applications.views.queue_page.rows_shown", rows_shown)
    with CaptureQueriesContext(connection) as captured:
        client.get(QUEUE)
    columns = [
        index
        for index, query in enumerate(captured.captured_queries)
        if '"applications_errorreport"' in query["sql"]  # the open reports column
    ]
    assert len(seen) == 1
    assert columns
    assert seen[0] <= min(columns)


def test_page_cache_row_change_committed_during_the_render_is_not_kept(agent):
    """A change committed after the page read a row's columns bumps after the row's generation
    was read: the page is kept under the older generation, and not served again."""
    key = generations.person_key(10**9 + 1)  # a row's, not a scope the page depends on
    data = {"value": "old"}

    def view(request):
        page_cache.rows_shown(request, [key])
        shown = data["value"]  # the row's columns
        data["value"] = "new"  # a change commits, then bumps, while the page renders
        generations.bump([key])
        return HttpResponse(shown.encode())

    cached = page_cache.page_cached(depends_on=page_cache.person_pages)(view)
    request = _request(agent)
    assert cached(request).content == b"old"
    assert cached(_request(agent)).content == b"new"


def test_page_cache_waiting_request_never_serves_a_copy_with_an_older_row(agent, monkeypatch):
    monkeypatch.setattr(page_cache, "WAIT_SECONDS", 5)
    renders = []
    row = generations.person_key(10**9)

    def view(request):
        renders.append(request)
        page_cache.rows_shown(request, [row])
        return HttpResponse(b"rendered here")

    cached = page_cache.page_cached(depends_on=page_cache.person_pages)(view)
    request = _request(agent)
    page_key = page_cache._page_key(request, f"{view.__module__}.{view.__qualname__}")
    lock_key = page_cache._lock_key(page_key)
    keys = page_cache.person_pages(request)
    older_row = generations.read([row])
    generations.bump([row])  # this request reads the row after this (a copy had it)
    cache.set(page_key, (generations.read(keys), b"older copy", [], None, older_row), timeout=60)
    cache.add(lock_key, 1, timeout=30)  # another request renders the page again
    real = page_cache._pause

    def other_request_keeps_a_copy_with_the_older_row(seconds):
        cache.set(page_key, (generations.read(keys), b"older copy", [], 1, older_row), timeout=60)
        cache.delete(lock_key)
        real(seconds)

    monkeypatch.setattr(page_cache, "_pause", other_request_keeps_a_copy_with_the_older_row)
    assert cached(request).content == b"rendered here"
    assert len(renders) == 1


def _view_with_a_row(row: str, renders: list):
    def view(request):
        renders.append(request)
        page_cache.rows_shown(request, [row])
        return HttpResponse(b"page")

    return page_cache.page_cached(depends_on=page_cache.person_pages)(view), view


def test_page_cache_rows_alone_moved_render_at_once_without_waiting(agent, monkeypatch):
    renders = []
    row = generations.person_key(10**9 + 2)
    cached, view = _view_with_a_row(row, renders)
    cached(_request(agent))
    generations.bump([row])
    request = _request(agent)
    page_key = page_cache._page_key(request, f"{view.__module__}.{view.__qualname__}")
    cache.add(page_cache._lock_key(page_key), 1, timeout=30)  # another request renders it
    monkeypatch.setattr(page_cache, "_pause", lambda seconds: pytest.fail("waited for the lock"))
    assert cached(request).content == b"page"
    assert len(renders) == 2


def test_page_cache_kept_page_with_rows_read_in_one_round_trip(agent, monkeypatch):
    renders = []
    cached, _view = _view_with_a_row(generations.person_key(10**9 + 3), renders)
    cached(_request(agent))
    reads = []
    real = page_cache.cache

    class Counted:
        def __getattr__(self, name):
            if name in ("get", "get_many", "add"):
                reads.append(name)
            return getattr(real, name)

    monkeypatch.setattr(page_cache, "cache", Counted())
    assert cached(_request(agent)).content == b"page"
    assert reads == ["get_many"]
    assert len(renders) == 1


def _request(user):
    request = RequestFactory().get("/anywhere/")
    request.user = user
    request.session = SessionStore()
    return request
