"""Bulk actions on the queue (issue 20): one transaction per dossier through the existing
services, a report per dossier, at most 100 ids, and only the agent's prefecture's dossiers:
any other id is reported « not found » and never acted on."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from anef.errors import DomainError
from applications.enums import ApplicationStatus
from applications.models import Application, Assignment, CorrectionRequest, ResidencePermit
from applications.workbench import bulk
from reference.models import DocumentType, Prefecture
from tests.accounts.factories import (
    ApplicantProfileFactory,
    PrefectureAgentFactory,
    PrefectureSupervisorFactory,
)
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


def _dossier(prefecture_code: str = "75", status=ApplicationStatus.SUBMITTED) -> Application:
    postal = {"75": "75011", "69": "69003"}[prefecture_code]
    return ApplicationFactory(
        applicant=ApplicantProfileFactory(postal_code=postal).user,
        prefecture=Prefecture.objects.get(departement_code=prefecture_code),
        status=status,
        filed_at=timezone.now(),
    )


@pytest.fixture
def paris_dossiers(reference_data):
    return [_dossier() for _ in range(3)]


@pytest.fixture
def lyon_dossier(reference_data):
    return _dossier("69")


def _ids(*applications) -> list[str]:
    return [str(application.pk) for application in applications]


# --- Service ------------------------------------------------------------------------------------


def test_bulk_assign_to_me_every_dossier_assigned(agent, paris_dossiers):
    report = bulk.bulk_apply(actor=agent, action=bulk.ASSIGN_TO_ME, ids=_ids(*paris_dossiers))
    assert len(report.done) == 3
    assert Assignment.objects.filter(agent=agent).count() == 3


def test_bulk_other_prefecture_id_reported_not_found_and_untouched(
    agent, paris_dossiers, lyon_dossier
):
    """The attack: an id of Lyon's dossier slipped into a Paris agent's selection."""
    report = bulk.bulk_apply(
        actor=agent, action=bulk.ASSIGN_TO_ME, ids=_ids(lyon_dossier, paris_dossiers[0])
    )
    assert [(o.asked, o.done) for o in report.outcomes] == [
        (str(lyon_dossier.pk), False),
        (str(paris_dossiers[0].pk), True),
    ]
    assert report.failed[0].application is None
    assert report.failed[0].reason == bulk.NOT_FOUND
    assert not Assignment.objects.filter(application=lyon_dossier).exists()


def test_bulk_unknown_and_garbage_ids_reported_not_found(agent, paris_dossiers):
    report = bulk.bulk_apply(actor=agent, action=bulk.ASSIGN_TO_ME, ids=["999999999", "x;drop"])
    assert [o.reason for o in report.failed] == [bulk.NOT_FOUND] * 2


def test_bulk_one_refusal_leaves_the_others_done(agent, paris_dossiers):
    colleague = PrefectureAgentFactory(prefecture=agent.prefecture)
    bulk.bulk_apply(actor=colleague, action=bulk.ASSIGN_TO_ME, ids=_ids(paris_dossiers[1]))
    report = bulk.bulk_apply(actor=agent, action=bulk.ASSIGN_TO_ME, ids=_ids(*paris_dossiers))
    assert [o.done for o in report.outcomes] == [True, False, True]
    assert colleague.get_full_name() in str(report.outcomes[1].reason)  # « already assigned to »
    assert Assignment.objects.get(application=paris_dossiers[1]).agent == colleague


def test_bulk_more_than_a_hundred_ids_refused_before_anything(agent, paris_dossiers):
    ids = _ids(*paris_dossiers) + [str(n) for n in range(10**6, 10**6 + bulk.BULK_MAX)]
    with pytest.raises(DomainError) as refused:
        bulk.bulk_apply(actor=agent, action=bulk.ASSIGN_TO_ME, ids=ids)
    assert refused.value.code == "too_many"
    assert not Assignment.objects.exists()


def test_bulk_assign_to_another_agent_plain_agent_refused_per_dossier(agent, paris_dossiers):
    colleague = PrefectureAgentFactory(prefecture=agent.prefecture)
    report = bulk.bulk_apply(
        actor=agent, action=bulk.ASSIGN, ids=_ids(*paris_dossiers), assignee=colleague
    )
    assert not report.done
    assert not Assignment.objects.exists()


def test_bulk_assign_to_another_agent_supervisor_assigns(agent, paris_dossiers):
    supervisor = PrefectureSupervisorFactory(prefecture=agent.prefecture)
    report = bulk.bulk_apply(
        actor=supervisor, action=bulk.ASSIGN, ids=_ids(*paris_dossiers), assignee=agent
    )
    assert len(report.done) == 3
    assert Assignment.objects.filter(agent=agent).count() == 3


def test_bulk_request_correction_same_piece_asked_of_each(agent, paris_dossiers):
    passport = DocumentType.objects.get(code="passport")
    report = bulk.bulk_apply(
        actor=agent,
        action=bulk.REQUEST_CORRECTION,
        ids=_ids(*paris_dossiers),
        document_type=passport,
        message="Your passport page is unreadable.",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert len(report.done) == 3
    requests = CorrectionRequest.objects.filter(application__in=paris_dossiers)
    assert {list(r.document_types.all()) == [passport] for r in requests} == {True}
    assert set(
        Application.objects.filter(pk__in=[a.pk for a in paris_dossiers]).values_list(
            "status", flat=True
        )
    ) == {ApplicationStatus.CORRECTION_REQUESTED}


def test_bulk_card_available_wrong_status_reported_with_its_reason(agent, reference_data):
    ready = _dossier(status=ApplicationStatus.FAVOURABLE)
    filed = _dossier()
    report = bulk.bulk_apply(actor=agent, action=bulk.CARD_AVAILABLE, ids=_ids(ready, filed))
    assert [o.done for o in report.outcomes] == [True, False]
    assert report.outcomes[1].reason
    ready.refresh_from_db()
    filed.refresh_from_db()
    assert (ready.status, filed.status) == (
        ApplicationStatus.CARD_AVAILABLE,
        ApplicationStatus.SUBMITTED,
    )


def test_bulk_card_handed_over_each_card_recorded(agent, reference_data):
    first, second = (_dossier(status=ApplicationStatus.CARD_AVAILABLE) for _ in range(2))
    today = timezone.localdate()
    cards = {
        application.pk: {
            "card_number": f"75000000{index}",
            "valid_from": today,
            "valid_until": today + datetime.timedelta(days=365),
        }
        for index, application in enumerate((first, second))
    }
    report = bulk.bulk_apply(
        actor=agent,
        action=bulk.CARD_HANDED_OVER,
        ids=_ids(first, second),
        handed_over_on=today,
        cards=cards,
    )
    assert len(report.done) == 2
    assert ResidencePermit.objects.filter(number__startswith="75000000").count() == 2


# --- Pages --------------------------------------------------------------------------------------


def _post(client, user, data):
    client.force_login(user)
    return client.post(reverse("backoffice:bulk_action"), data, headers=EN)


def test_view_bulk_queue_rows_have_labelled_checkboxes(client, agent, paris_dossiers):
    client.force_login(agent)
    html = client.get(reverse("backoffice:home"), headers=EN).content.decode()
    application = paris_dossiers[0]
    assert f'id="pick-{application.pk}" name="ids" value="{application.pk}"' in html
    assert f'for="pick-{application.pk}"' in html
    assert f"Select the application {application.reference}" in html
    assert 'name="whole_page"' in html


def test_view_bulk_first_post_asks_for_confirmation_and_changes_nothing(
    client, agent, paris_dossiers
):
    response = _post(client, agent, {"action": bulk.ASSIGN_TO_ME, "ids": _ids(*paris_dossiers)})
    assert response.status_code == 200
    assert paris_dossiers[0].reference in response.content.decode()
    assert not Assignment.objects.exists()


def test_view_bulk_confirmed_shows_the_report(client, agent, paris_dossiers, lyon_dossier):
    response = _post(
        client,
        agent,
        {
            "action": bulk.ASSIGN_TO_ME,
            "ids": _ids(lyon_dossier, *paris_dossiers),
            "confirm": "1",
        },
    )
    html = response.content.decode()
    assert "3 done, 1 failed." in html
    assert lyon_dossier.reference not in html  # another prefecture's: not even named
    assert Assignment.objects.filter(agent=agent).count() == 3


def test_view_bulk_whole_page_acts_on_the_page_ids(client, agent, paris_dossiers):
    response = _post(
        client,
        agent,
        {
            "action": bulk.ASSIGN_TO_ME,
            "whole_page": "1",
            "page_ids": _ids(*paris_dossiers),
            "confirm": "1",
        },
    )
    assert "3 done, 0 failed." in response.content.decode()


def test_view_bulk_assign_to_others_not_offered_to_a_plain_agent(client, agent, paris_dossiers):
    colleague = PrefectureAgentFactory(prefecture=agent.prefecture)
    response = _post(
        client,
        agent,
        {"action": bulk.ASSIGN, "ids": _ids(*paris_dossiers), "agent": colleague.pk, "confirm": 1},
    )
    assert response.status_code == 302
    assert not Assignment.objects.exists()


def test_view_bulk_other_prefecture_agent_acts_on_nothing(client, paris_dossiers):
    lyon = PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="69"))
    response = _post(
        client,
        lyon,
        {"action": bulk.ASSIGN_TO_ME, "ids": _ids(*paris_dossiers), "confirm": "1"},
    )
    assert "0 done, 3 failed." in response.content.decode()
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("action", "asked"),
    [
        (bulk.ASSIGN, "Agent"),
        (bulk.REQUEST_CORRECTION, "Missing piece"),
        (bulk.CARD_HANDED_OVER, "Card number"),
    ],
)
def test_view_bulk_first_post_asks_what_the_action_needs(client, paris_dossiers, action, asked):
    supervisor = PrefectureSupervisorFactory(prefecture=paris_dossiers[0].prefecture)
    response = _post(client, supervisor, {"action": action, "ids": _ids(*paris_dossiers)})
    assert response.status_code == 200
    assert asked in response.content.decode()


def test_view_bulk_card_handed_over_confirmed_records_each_card(client, agent, reference_data):
    application = _dossier(status=ApplicationStatus.CARD_AVAILABLE)
    today = timezone.localdate().isoformat()
    response = _post(
        client,
        agent,
        {
            "action": bulk.CARD_HANDED_OVER,
            "ids": _ids(application),
            "confirm": "1",
            "handed_over_on": today,
            f"card_number-{application.pk}": "7500000123",
            f"valid_from-{application.pk}": today,
            f"valid_until-{application.pk}": "2030-01-01",
        },
    )
    assert "1 done, 0 failed." in response.content.decode()
    assert ResidencePermit.objects.filter(number="7500000123").exists()
