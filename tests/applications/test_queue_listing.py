"""The queue's listing read in parts (issue 20, applications/queue_listing.py): every page shows
the same rows in the same order as the queue's full order, across the parts' boundary, on the
last page and past the end; the listing's queries read neither the row columns nor their
subqueries, and a page of the dossiers without a permit does not join the permits."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Assignment, Follow
from applications.selectors import QueueFilters, backoffice_queue, backoffice_queue_listing
from applications.views import queue_page
from reference.enums import ProcedureKind
from reference.models import Prefecture
from tests.applications.factories import ApplicationFactory, ResidencePermitFactory, ground

# How the listing's two queries begin: the count (with the head's size), the page's ids.
LISTING_SELECTS = (
    'SELECT COUNT("applications_application"."id") AS "total"',
    'SELECT "applications_application"."id" AS "pk", "applications_application"."applicant_id"',
)
NOW = timezone.now().replace(microsecond=0)
TODAY = datetime.date.today()


def _filed(paris, *, days_ago: int, kind=ProcedureKind.FIRST_APPLICATION, expires_in=None):
    permit = None
    if expires_in is not None:
        permit = ResidencePermitFactory(valid_until=TODAY + datetime.timedelta(days=expires_in))
    holder = {"applicant": permit.holder} if permit else {}
    return ApplicationFactory(
        prefecture=paris,
        **holder,
        ground=ground("salaried_worker"),
        kind=kind,
        renews_permit=permit,
        status=ApplicationStatus.SUBMITTED,
        filed_at=NOW - datetime.timedelta(days=days_ago),
    )


@pytest.fixture
def queue(paris, agent):
    """13 dossiers: renewals and changes of status naming a permit (ties in its end date and
    in filed_at), first applications (ties in filed_at), some assigned, two followed; a draft
    and another prefecture's dossier, not listed."""
    renewals = [
        _filed(paris, days_ago=3, kind=ProcedureKind.RENEWAL, expires_in=days)
        for days in (60, 30, 30, 90)
    ]
    changes = [
        _filed(paris, days_ago=days, kind=ProcedureKind.CHANGE_OF_STATUS, expires_in=40)
        for days in (5, 5)
    ]
    firsts = [_filed(paris, days_ago=days) for days in (9, 2, 9, 9, 1, 4, 2)]
    for application in (renewals[1], changes[0], firsts[2], firsts[5]):
        Assignment.objects.create(application=application, agent=agent, assigned_by=agent)
    for application in (renewals[0], firsts[0]):
        Follow.objects.create(application=application, agent=agent)
    ApplicationFactory(prefecture=paris, status=ApplicationStatus.DRAFT)
    _filed(Prefecture.objects.get(departement_code="69"), days_ago=1)
    return renewals + changes + firsts


def _expected(applications, *, order: str) -> list[int]:
    """The queue's order as the issue states it, in Python: renewals first by their permit's end
    date (the others naming a permit next, by its end date too), then filed_at, then the id;
    « oldest first »: filed_at, then the id."""

    def key(application):
        permit = application.renews_permit
        if order == "filed":
            return (application.filed_at, application.pk)
        return (
            application.kind != ProcedureKind.RENEWAL,
            permit is None,
            permit.valid_until if permit else TODAY,
            application.filed_at,
            application.pk,
        )

    return [application.pk for application in sorted(applications, key=key)]


@pytest.mark.parametrize(
    ("filters", "assigned_only"),
    [
        (QueueFilters(), None),
        (QueueFilters(order="filed"), None),
        (QueueFilters(scope="unassigned"), False),
        (QueueFilters(scope="unassigned", order="filed"), False),
        (QueueFilters(scope="mine"), True),
    ],
)
def test_queue_listing_every_slice_in_the_queue_order(queue, agent, filters, assigned_only):
    shown = [
        application
        for application in queue
        if assigned_only is None
        or Assignment.objects.filter(application=application).exists() == assigned_only
    ]
    expected = _expected(shown, order=filters.order)
    full = list(backoffice_queue(agent, filters).values_list("pk", flat=True))
    assert full == expected  # the order itself is unchanged
    listing = backoffice_queue_listing(agent, filters)
    assert listing.count() == len(expected)
    # Every page of every size: inside the head, across the boundary, inside the tail, from
    # either end, the last (short) page.
    for size in range(1, len(expected) + 1):
        for start in range(0, len(expected), size):
            rows = listing[start : start + size]
            assert [pk for pk, _applicant in rows] == expected[start : start + size], (size, start)
    by_pk = {application.pk: application.applicant_id for application in shown}
    assert all(applicant == by_pk[pk] for pk, applicant in listing[0 : len(expected)])


def test_queue_listing_slice_past_the_end_is_empty(queue, agent):
    listing = backoffice_queue_listing(agent, QueueFilters())

    assert listing[13:20] == []


@pytest.fixture
def agent_client(agent, monkeypatch) -> Client:
    monkeypatch.setattr(queue_page, "QUEUE_PAGE_SIZE", 4)
    client = Client(headers={"accept-language": "en"})
    client.force_login(agent)
    return client


def _page(client, **params) -> tuple[int, list[int]]:
    response = client.get(reverse("backoffice:home"), params)
    assert response.status_code == 200
    return response.context["page_obj"].number, [row.pk for row in response.context["rows"]]


@pytest.mark.parametrize("order", ["priority", "filed"])
def test_queue_page_pages_follow_the_queue_order_to_the_last_one(queue, agent_client, order):
    expected = _expected(queue, order=order)

    pages = [_page(agent_client, order=order, page=number) for number in (1, 2, 3, 4)]

    assert pages == [(number, expected[(number - 1) * 4 : number * 4]) for number in (1, 2, 3, 4)]


def test_queue_page_number_past_the_end_shows_the_last_page(queue, agent_client):
    expected = _expected(queue, order="priority")

    assert _page(agent_client, page=99) == (4, expected[12:])


def _listing_queries(client, **params) -> tuple[str, str]:
    """The SQL of the queue's count and of its page's ids (the queries reading only the
    listing's two columns), for one render of the page."""
    with CaptureQueriesContext(connection) as captured:
        _page(client, **params)
    listing = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith(LISTING_SELECTS)
    ]
    assert len(listing) == 2, listing
    return listing[0], listing[1]


@pytest.mark.parametrize("params", [{}, {"page": 2}, {"page": 4}, {"scope": "followed"}])
def test_queue_page_listing_reads_no_row_column_nor_subquery(queue, agent_client, params):
    for sql in _listing_queries(agent_client, **params):
        select = sql.split(" FROM ", 1)[0]
        assert "applications_errorreport" not in sql  # the open error reports' subquery
        assert "applications_follow" not in select  # « followed by me » (a filter may use it)
        assert "accounts_user" not in sql and "accounts_applicantprofile" not in sql
        assert "applications_ground" not in sql and "applications_prefecture" not in sql
        assert "(SELECT" not in select


def test_queue_page_tail_page_reads_no_permit_and_sorts_by_filed_at(queue, agent_client):
    _count, ids = _listing_queries(agent_client, page=3)  # the first applications only

    assert "applications_residencepermit" not in ids
    assert "CASE" not in ids
    assert ids.split("ORDER BY", 1)[1].split("LIMIT")[0].count(",") == 1  # filed_at, id


def test_queue_page_past_the_middle_of_its_part_read_from_its_end(queue, agent_client):
    # Page 3: rows 8-11, the tail's 3rd to 6th of 7: one row skipped from its end, 2 from its start.
    _count, ids = _listing_queries(agent_client, page=3)

    assert '"applications_application"."filed_at" DESC' in ids
    assert "OFFSET 1" in ids
