"""Constant SQL per page (issue 8, "Load"): the pages `bench/load.py` puts under load read the
same number of queries whatever the amount of data behind them.

Each test builds N objects of the kind that page lists, loads the page, builds 2N more (3N in
all), loads it again, and asserts that both loads sent exactly as many queries, under a fixed
ceiling (`django_assert_max_num_queries`). The page is loaded once before the first count, so
that a cache filled on a first visit (session, reference data) is not counted as growth.

Pages already covered elsewhere, not repeated here:
- the console with tickets from the public form (tests/support/test_views_console.py);
- the queue's ceiling with error reports (tests/applications/test_views_backoffice.py).
"""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications import services as dossier
from applications.enums import ApplicationStatus, ErrorReportCategory
from applications.models import Application, Assignment
from applications.workbench import services as workbench
from attestations.enums import AttestationKind
from attestations.models import Attestation
from attestations.services import attestations_sweep
from reference.enums import ProcedureKind
from reference.models import Ground, Prefecture
from support import services as support
from support.enums import TicketCategory
from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    PrefectureAgentFactory,
    PrefectureSupervisorFactory,
)
from tests.applications.factories import ApplicationFactory, ResidencePermitFactory

pytestmark = pytest.mark.django_db

N = 4
# One person has one open dossier per ground and procedure: the catalogue's renewable grounds
# (9) bound the dashboard's 3N.
N_DASHBOARD = 3
# Ceilings: each page sends 6 queries today (the verification page 2), with a little room; a
# page that grows with its data fails the equality long before it reaches these.
# The dashboard: 8, and the new messages of the prefecture by dossier (issue 20): 9.
DASHBOARD_MAX_QUERIES = 10
# The queue: 6, the supervisor's permission read for the link to the team's load (2), the saved
# views (1), the rows' new messages (1, issue 20).
QUEUE_MAX_QUERIES = 11
CONSOLE_MAX_QUERIES = 8
VERIFY_MAX_QUERIES = 3
# The at-risk dashboard (issue 16): session, user, prefecture, its four sections (cards ending,
# renewals and their siblings, the outage log, APIs, decisions), the supervisor check.
AT_RISK_MAX_QUERIES = 12


def _count(client: Client, url: str, django_assert_max_num_queries, ceiling: int) -> int:
    with django_assert_max_num_queries(ceiling) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def paris(reference_data) -> Prefecture:
    return Prefecture.objects.get(departement_code="75")


# --- Applicant dashboard (/portal/) ---------------------------------------------------------------


def _dossiers_of(applicant, count: int) -> None:
    """`count` renewals, complete in time (an API each, when the ground gives one), and `count`
    first applications with a deposit receipt, all of one person, each on a ground of its own
    (one open dossier per ground and procedure); then the sweep issues their attestations."""
    now = timezone.now()
    today = timezone.localdate()
    taken = applicant.applications.values("ground")
    grounds = Ground.objects.filter(active=True, renewable=True).exclude(pk__in=taken)
    for index, ground in enumerate(grounds.order_by("code")[:count]):
        permit = ResidencePermitFactory(
            holder=applicant, valid_until=today + datetime.timedelta(days=10 + index)
        )
        ApplicationFactory(
            applicant=applicant,
            ground=ground,
            kind=ProcedureKind.RENEWAL,
            renews_permit=permit,
            status=ApplicationStatus.COMPLETE,
            filed_at=now - datetime.timedelta(days=75),
            completed_at=now - datetime.timedelta(days=60),
        )
        ApplicationFactory(
            applicant=applicant,
            ground=ground,
            status=ApplicationStatus.COMPLETE,
            filed_at=now - datetime.timedelta(days=30),
            completed_at=now - datetime.timedelta(days=20),
        )
    attestations_sweep()


def test_query_counts_applicant_dashboard_does_not_grow_with_dossiers_and_attestations(
    paris, django_assert_max_num_queries
):
    profile = ApplicantProfileFactory(postal_code="75011")
    client = _client(profile.user)
    url = reverse("portal:home")
    _dossiers_of(profile.user, N_DASHBOARD)
    client.get(url)
    few = _count(client, url, django_assert_max_num_queries, DASHBOARD_MAX_QUERIES)
    _dossiers_of(profile.user, 2 * N_DASHBOARD)
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES) as captured:
        response = client.get(url)
    assert len(response.context["rows"]) == 2 * 3 * N_DASHBOARD
    attested = Attestation.objects.filter(holder=profile.user).values("application")
    assert attested.distinct().count() == 2 * 3 * N_DASHBOARD  # each with its attestations
    assert len(captured.captured_queries) == few


# --- Agent queue (/agents/) -----------------------------------------------------------------------


def _queue_of(prefecture: Prefecture, count: int) -> None:
    """`count` renewals (one with an open error report) and `count` first applications,
    filed in the prefecture by different people, on different grounds."""
    today = timezone.localdate()
    grounds = list(Ground.objects.filter(active=True).order_by("code")[:5])
    for index in range(count):
        profile = ApplicantProfileFactory(postal_code="75011")
        permit = ResidencePermitFactory(
            holder=profile.user, valid_until=today + datetime.timedelta(days=70 + index)
        )
        renewal = ApplicationFactory(
            applicant=profile.user,
            prefecture=prefecture,
            ground=Ground.objects.get(code="salaried_worker"),
            kind=ProcedureKind.RENEWAL,
            renews_permit=permit,
            status=ApplicationStatus.SUBMITTED,
            filed_at=timezone.now(),
        )
        dossier.error_report_create(
            application=renewal,
            actor=profile.user,
            category=ErrorReportCategory.OTHER,
            description="My name is misspelt.",
        )
        ApplicationFactory(
            applicant=ApplicantProfileFactory(postal_code="75018").user,
            prefecture=prefecture,
            ground=grounds[index % len(grounds)],
            status=ApplicationStatus.COMPLETE,
            filed_at=timezone.now(),
        )


def test_query_counts_agent_queue_does_not_grow_with_dossiers(paris, django_assert_max_num_queries):
    client = _client(PrefectureAgentFactory(prefecture=paris))
    url = reverse("backoffice:home")
    _queue_of(paris, N)
    client.get(url)
    few = _count(client, url, django_assert_max_num_queries, QUEUE_MAX_QUERIES)
    _queue_of(paris, 2 * N)  # 6N dossiers in all: still one page (25)
    with django_assert_max_num_queries(QUEUE_MAX_QUERIES) as captured:
        response = client.get(url)
    assert len(response.context["rows"]) == 6 * N
    assert len(captured.captured_queries) == few


def _workbench_on(prefecture: Prefecture, agents: list) -> None:
    """Every dossier of the prefecture not yet assigned is assigned to one of the agents (each
    taking it), followed by all of them and annotated (issue 20: the queue's new columns)."""
    for index, application in enumerate(
        Application.objects.filter(prefecture=prefecture, assignment__isnull=True).exclude(
            status=ApplicationStatus.DRAFT
        )
    ):
        agent = agents[index % len(agents)]
        workbench.application_assign(application=application, agent=agent, actor=agent)
        for follower in agents:
            workbench.application_follow(application=application, actor=follower)
        workbench.annotation_create(application=application, actor=agent, body="Dossier suivi")


@pytest.mark.parametrize(
    "query", ["", "?scope=mine", "?scope=followed", "?scope=unassigned", "?search=suivi"]
)
def test_query_counts_agent_queue_with_workbench_does_not_grow_with_dossiers(
    paris, django_assert_max_num_queries, query
):
    """Assignees, follows and notes: the lists, the assignee column and the search of notes."""
    agents = [PrefectureSupervisorFactory(prefecture=paris)] + [
        PrefectureAgentFactory(prefecture=paris) for _ in range(2)
    ]
    client = _client(agents[0])
    url = reverse("backoffice:home") + query
    _queue_of(paris, N)
    _workbench_on(paris, agents)
    client.get(url)
    few = _count(client, url, django_assert_max_num_queries, QUEUE_MAX_QUERIES)
    _queue_of(paris, 2 * N)
    _workbench_on(paris, agents)
    with django_assert_max_num_queries(QUEUE_MAX_QUERIES) as captured:
        response = client.get(url)
    mine = Assignment.objects.filter(agent=agents[0]).count()
    expected = {"": 6 * N, "?scope=mine": mine, "?scope=followed": 6 * N}
    expected.update({"?scope=unassigned": 0, "?search=suivi": 6 * N})
    assert len(response.context["rows"]) == expected[query]
    assert len(captured.captured_queries) == few


# --- Ticket console (/support/) -------------------------------------------------------------------


def _tickets_about_dossiers(count: int, agents: list) -> None:
    """`count` tickets opened from the portal about a dossier, each taken by one of the agents
    and answered (the console's rows name the assignee)."""
    for index in range(count):
        profile = ApplicantProfileFactory(postal_code="75011")
        application = ApplicationFactory(
            applicant=profile.user, status=ApplicationStatus.SUBMITTED, filed_at=timezone.now()
        )
        ticket, _secret = support.ticket_open_from_portal(
            actor=profile.user,
            category=TicketCategory.values[index % len(TicketCategory.values)],
            body="Where is my application?",
            application=application,
        )
        agent = agents[index % len(agents)]
        support.ticket_take(ticket=ticket, actor=agent)
        support.ticket_reply(ticket=ticket, actor=agent, body="We are looking into it.")


def test_query_counts_ticket_console_does_not_grow_with_tickets_about_dossiers(
    paris, django_assert_max_num_queries
):
    agents = [ContactCentreAgentFactory() for _ in range(3)]
    client = _client(agents[0])
    url = reverse("support_console:home") + "?status=all"
    _tickets_about_dossiers(N, agents)
    client.get(url)
    few = _count(client, url, django_assert_max_num_queries, CONSOLE_MAX_QUERIES)
    _tickets_about_dossiers(2 * N, agents)
    with django_assert_max_num_queries(CONSOLE_MAX_QUERIES) as captured:
        response = client.get(url)
    assert len(response.context["rows"]) == 3 * N
    assert len(captured.captured_queries) == few


# --- Verification page (/verify/<number>/) --------------------------------------------------------


def test_query_counts_verify_page_does_not_grow_with_the_attestations_that_follow(
    paris, django_assert_max_num_queries
):
    """The first API of a renewal still undecided, renewed every quarter: the page looks up
    the newer ones (to say which one to ask for) in one query, however many there are."""
    agent = PrefectureAgentFactory(prefecture=paris)
    profile = ApplicantProfileFactory(postal_code="75011")
    today = timezone.localdate()
    permit = ResidencePermitFactory(
        holder=profile.user, valid_until=today + datetime.timedelta(days=10)
    )
    application = ApplicationFactory(
        applicant=profile.user,
        prefecture=paris,
        ground=Ground.objects.get(code="salaried_worker"),
        kind=ProcedureKind.RENEWAL,
        renews_permit=permit,
        status=ApplicationStatus.SUBMITTED,
        filed_at=timezone.now() - datetime.timedelta(days=75),
    )
    dossier.application_mark_complete(application=application, actor=agent)
    day = today

    def renew_quarters(count: int) -> None:
        nonlocal day
        for _ in range(count):
            attestations_sweep(today=day)
            day += datetime.timedelta(days=92)

    renew_quarters(1 + N)
    first = application.attestations.filter(kind=AttestationKind.API).order_by("valid_from", "pk")[
        0
    ]
    url = reverse("verify", args=[first.number])
    client = Client(headers={"accept-language": "en"})
    client.get(url)
    # The page is rendered, not served from the cache that keeps it (verification_cache.py).
    cache.clear()
    few = _count(client, url, django_assert_max_num_queries, VERIFY_MAX_QUERIES)
    renew_quarters(2 * N)
    cache.clear()
    many = _count(client, url, django_assert_max_num_queries, VERIFY_MAX_QUERIES)
    followers = application.attestations.filter(kind=AttestationKind.API).count() - 1
    assert followers == 3 * N
    assert many == few


# --- At-risk dashboard (/agents/attestations/at-risk/ and its counts) ---------------------------


def _at_risk_rows(count: int) -> None:
    from tests.attestations import at_risk_world

    for _ in range(count):
        at_risk_world.one_of_each()


@pytest.mark.parametrize(
    ("url_name", "supervisor"),
    [
        ("attestations_backoffice:at_risk", False),
        ("attestations_backoffice:at_risk_counts", True),
        ("api:agent-at-risk", False),
    ],
)
def test_query_counts_at_risk_dashboard_does_not_grow_with_people_at_risk(
    paris, url_name, supervisor, django_assert_max_num_queries
):
    from tests.accounts.factories import PrefectureSupervisorFactory

    factory = PrefectureSupervisorFactory if supervisor else PrefectureAgentFactory
    client = _client(factory(prefecture=paris))
    url = reverse(url_name)
    _at_risk_rows(1)
    client.get(url)
    few = _count(client, url, django_assert_max_num_queries, AT_RISK_MAX_QUERIES)
    _at_risk_rows(2)
    with django_assert_max_num_queries(AT_RISK_MAX_QUERIES) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(captured.captured_queries) == few


# --- Prefecture figures (/agents/statistics/, issue 20) -------------------------------------------

# The staff navigation asks for the supervisor permission (user and group permissions).
STATISTICS_MAX_QUERIES = 10


def _figures_of(prefecture: Prefecture, count: int) -> None:
    """`count` dossiers on each of three grounds, filed, complete and decided over the weeks,
    and as many still awaiting a decision at different ages."""
    now = timezone.now()
    grounds = list(Ground.objects.filter(active=True, is_procedure=False).order_by("code")[:3])
    for index in range(count):
        for ground in grounds:
            ApplicationFactory(
                applicant=ApplicantProfileFactory(postal_code="75011").user,
                prefecture=prefecture,
                ground=ground,
                status=ApplicationStatus.FAVOURABLE,
                filed_at=now - datetime.timedelta(days=70 + index),
                completed_at=now - datetime.timedelta(days=40 + index),
                first_completed_at=now - datetime.timedelta(days=40 + index),
                decided_at=now - datetime.timedelta(days=index * 5),
            )
            ApplicationFactory(
                applicant=ApplicantProfileFactory(postal_code="75011").user,
                prefecture=prefecture,
                ground=ground,
                status=ApplicationStatus.SUBMITTED,
                filed_at=now - datetime.timedelta(days=index * 17),
            )


def test_query_counts_statistics_page_does_not_grow_with_dossiers(
    paris, django_assert_max_num_queries
):
    client = _client(PrefectureAgentFactory(prefecture=paris))
    url = reverse("backoffice:statistics")
    _figures_of(paris, N)
    client.get(url)
    cache.clear()  # the decision times are kept for the day: count the page that computes them
    few = _count(client, url, django_assert_max_num_queries, STATISTICS_MAX_QUERIES)
    _figures_of(paris, 2 * N)
    cache.clear()
    with django_assert_max_num_queries(STATISTICS_MAX_QUERIES) as captured:
        response = client.get(url)
    assert response.context["figures"].backlog_total == 3 * 3 * N
    assert len(captured.captured_queries) == few
