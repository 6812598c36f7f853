"""The at-risk dashboard (issue 16): its four sections, what each row says to do, the
supervisor's counts, the API, and that an agent of another prefecture gets nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationStatus
from attestations import at_risk
from tests.accounts.factories import PrefectureAgentFactory, PrefectureSupervisorFactory
from tests.attestations import at_risk_world as world

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


@pytest.fixture
def other_agent(reference_data):
    return PrefectureAgentFactory(prefecture__departement_code="93")


def dashboard(user):
    return at_risk.at_risk_dashboard(user)


def references(rows):
    return {row.application.reference for row in rows if row.application is not None}


# --- (a) cards ending with no renewal filed -------------------------------------------------------


def test_at_risk_permit_ending_without_renewal_listed_with_a_reminder(agent):
    permit = world.permit_ending(in_days=30)
    [row] = dashboard(agent).permits_ending
    assert row.permit == permit
    assert (row.code, row.action, row.days_left) == ("permit_ending", "remind", 30)
    assert row.contact.email == permit.holder.email
    assert "75011" in row.contact.address


def test_at_risk_permit_ending_within_fifteen_days_asks_for_an_appointment(agent):
    world.permit_ending(in_days=15)
    [row] = dashboard(agent).permits_ending
    assert row.action == "book_appointment"


def test_at_risk_permit_ending_after_sixty_days_not_listed(agent):
    world.permit_ending(in_days=61)
    assert dashboard(agent).permits_ending == []


def test_at_risk_permit_with_a_filed_renewal_not_listed(agent):
    world.renewal_of(world.permit_ending(in_days=30))
    assert dashboard(agent).permits_ending == []


def test_at_risk_permit_with_only_a_draft_renewal_says_so(agent):
    world.renewal_of(world.permit_ending(in_days=30), status=ApplicationStatus.DRAFT)
    [row] = dashboard(agent).permits_ending
    assert row.code == "draft_not_filed"


def test_at_risk_permit_of_a_person_living_elsewhere_not_listed(agent):
    world.permit_ending(in_days=30, postal_code="93200")
    assert dashboard(agent).permits_ending == []


# --- (b) renewals ---------------------------------------------------------------------------------


def test_at_risk_late_renewal_listed_with_a_call(agent):
    late = world.late_renewal()
    [row] = dashboard(agent).renewals
    assert (row.application, row.code, row.action) == (late, "filed_late", "call")


def test_at_risk_incomplete_renewal_near_window_end_listed(agent):
    incomplete = world.incomplete_near_window_end()
    [row] = dashboard(agent).renewals
    assert (row.application, row.code, row.action) == (
        incomplete,
        "incomplete_near_window_end",
        "examine",
    )
    assert row.days_left == 10


def test_at_risk_incomplete_renewal_far_from_window_end_not_listed(agent):
    world.renewal_of(world.permit_ending(in_days=90), filed_days_ago=5)  # window ends in 30
    assert dashboard(agent).renewals == []


# --- (c) APIs without their next one ---------------------------------------------------------


def test_at_risk_api_without_next_listed_in_red_with_the_reason(agent):
    application = world.api_without_next()
    [row] = dashboard(agent).api_gaps
    assert row.application == application
    assert (row.code, row.action) == ("sweep_late", "issue_now")
    assert row.sweep_due_on == application.attestations_next_review_on
    assert 0 <= row.days_left < 15


def test_at_risk_api_gap_closed_by_the_sweep(agent):
    from attestations.services import attestations_sweep

    world.api_without_next()
    attestations_sweep()
    assert dashboard(agent).api_gaps == []


def test_at_risk_api_gap_reason_waiting_for_the_sweep_when_dirty():
    today = datetime.date(2027, 1, 10)
    reason = at_risk.api_gap_reason(
        dirty=True, next_review_on=None, next_issue_on=today, today=today
    )
    assert reason == "waiting_for_sweep"


@pytest.mark.parametrize(
    ("review", "reason"),
    [(None, "no_review_planned"), (-1, "sweep_late"), (0, "sweep_late"), (3, "review_too_late")],
)
def test_at_risk_api_gap_reason_from_the_review_day(review, reason):
    today = datetime.date(2027, 1, 10)
    review_on = today + datetime.timedelta(days=review) if review is not None else None
    assert (
        at_risk.api_gap_reason(
            dirty=False, next_review_on=review_on, next_issue_on=today, today=today
        )
        == reason
    )


# --- (d) decisions due ----------------------------------------------------------------------------


def test_at_risk_decision_due_before_implicit_rejection_listed(agent):
    application = world.decision_due(days_before_rejection=10)
    [row] = dashboard(agent).decisions_due
    assert (row.application, row.code, row.action) == (application, "implicit_rejection", "decide")
    assert row.days_left in (9, 10, 11)  # month lengths


def test_at_risk_decision_far_from_implicit_rejection_not_listed(agent):
    world.decision_due(days_before_rejection=45)
    assert dashboard(agent).decisions_due == []


# --- The page, the counts, the API, and the other prefecture ---------------------------------


def test_at_risk_page_shows_every_section_with_what_to_do(client, agent):
    rows = world.one_of_each()
    client.force_login(agent)
    content = client.get(reverse("attestations_backoffice:at_risk"), headers=EN).content.decode()
    for key in ("api_gap", "late", "incomplete", "decision"):
        assert rows[key].reference in content
    assert rows["permit"].number in content
    assert "fr-alert--error" in content
    assert "Send a reminder to file the renewal online." in content
    assert "Call the person" in content


def test_at_risk_page_other_prefecture_agent_sees_nothing(client, other_agent):
    rows = world.one_of_each()
    client.force_login(other_agent)
    content = client.get(reverse("attestations_backoffice:at_risk")).content.decode()
    for key in ("api_gap", "late", "incomplete", "decision"):
        assert rows[key].reference not in content
    assert rows["permit"].number not in content
    assert dashboard(other_agent).counts == dict.fromkeys(at_risk.SECTIONS, 0)


def test_at_risk_counts_supervisor_sees_the_counts_of_the_prefecture(client, agent):
    world.one_of_each()
    supervisor = PrefectureSupervisorFactory(prefecture=agent.prefecture)
    client.force_login(supervisor)
    response = client.get(reverse("attestations_backoffice:at_risk_counts"), headers=EN)
    assert response.status_code == 200
    assert response.context["counts"] == {
        "permits_ending": 1,
        "renewals": 2,
        "api_gaps": 1,
        "decisions_due": 2,  # the API's dossier is complete for 150 days as well
    }
    assert "must be zero" in response.content.decode()


def test_at_risk_counts_plain_agent_refused(client, agent):
    client.force_login(agent)
    assert client.get(reverse("attestations_backoffice:at_risk_counts")).status_code == 403


def test_at_risk_counts_supervisor_of_another_prefecture_counts_nothing(client, agent):
    world.one_of_each()
    client.force_login(PrefectureSupervisorFactory(prefecture__departement_code="93"))
    response = client.get(reverse("attestations_backoffice:at_risk_counts"))
    assert response.context["counts"] == dict.fromkeys(at_risk.SECTIONS, 0)


def test_at_risk_staff_nav_links_the_counts_for_supervisors_only(client, agent):
    url = reverse("attestations_backoffice:at_risk_counts")
    client.force_login(agent)
    assert url not in client.get(reverse("attestations_backoffice:at_risk")).content.decode()
    client.force_login(PrefectureSupervisorFactory(prefecture=agent.prefecture))
    assert url in client.get(reverse("attestations_backoffice:at_risk")).content.decode()


def test_api_at_risk_agent_reads_the_sections(client, agent):
    rows = world.one_of_each()
    client.force_login(agent)
    body = client.get(reverse("api:agent-at-risk")).json()
    assert body["prefecture"] == agent.prefecture.code
    assert body["counts"]["api_gaps"] == 1
    [gap] = body["api_gaps"]
    assert gap["application"] == rows["api_gap"].reference
    assert (gap["code"], gap["action"]) == ("sweep_late", "issue_now")
    assert gap["contact"]["email"] == rows["api_gap"].applicant.email
    [permit] = body["permits_ending"]
    assert permit["permit_number"] == rows["permit"].number


def test_api_at_risk_other_prefecture_agent_gets_nothing(client, other_agent):
    world.one_of_each()
    client.force_login(other_agent)
    body = client.get(reverse("api:agent-at-risk")).json()
    assert body["counts"] == dict.fromkeys(at_risk.SECTIONS, 0)
    assert body["api_gaps"] == body["permits_ending"] == body["renewals"] == []


def test_at_risk_today_is_the_local_day(agent):
    assert dashboard(agent).today == timezone.localdate()


def test_at_risk_page_total_counts_every_section_not_only_the_renewals(client, agent):
    """Walked as the supervisor: a decision due alone was summed up as « No renewal at risk »."""
    world.decision_due(days_before_rejection=10)
    client.force_login(agent)
    content = client.get(reverse("attestations_backoffice:at_risk"), headers=EN).content.decode()
    assert "In all, 1 case to act on today." in content


def test_at_risk_page_isolates_each_address_so_arabic_keeps_its_street_number_first(client, agent):
    """Walked in Arabic: « 5 rue Championnet, 75018 Paris » read « rue Championnet, 75018
    Paris 5 »."""
    permit = world.permit_ending(in_days=30)
    client.force_login(agent)
    content = client.get(
        reverse("attestations_backoffice:at_risk"), headers={"accept-language": "ar"}
    ).content.decode()
    address = permit.holder.applicant_profile.address_line
    assert f"<bdi>{address}" in content
