"""Issue 18: after a refusal, an agent of the dossier's prefecture records whether it comes with
an obligation to leave France (OQTF). The person then gets a date before which to challenge it
(no OQTF) or is told to read the decision (OQTF); the timeline and the audit log say who recorded
what. Nobody else may: not another prefecture, not the person."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import translation

from anef.errors import DomainError
from applications.deadlines import application_legal_deadlines
from applications.enums import EventKind
from applications.models import Application
from applications.services import (
    application_decide_favourable,
    application_decide_unfavourable,
    application_record_obligation_to_leave,
)
from applications.timeline import Audience, event_text
from reference.models import DecisionReason, Prefecture
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.helpers import complete

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def person(reference_data):
    return ApplicantProfileFactory(postal_code="75011", city="Paris")


@pytest.fixture
def paris_agent(reference_data):
    return PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="75"))


@pytest.fixture
def lyon_agent(reference_data):
    return PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="69"))


@pytest.fixture
def refused(person, paris_agent):
    """A refusal whose OQTF was not recorded (the API does not ask for it)."""
    return application_decide_unfavourable(
        application=complete(person, paris_agent),
        actor=paris_agent,
        reason=DecisionReason.objects.get(code="conditions_not_met"),
        explanation="Your salary is below the threshold.",
        legal_basis="CESEDA L. 421-1",
        remedies="Recours gracieux ou contentieux dans les 2 mois.",
    )


def _recorded_events(application):
    return application.events.filter(kind=EventKind.OBLIGATION_TO_LEAVE_RECORDED)


def _url(application):
    return reverse(
        "backoffice:application_record_obligation_to_leave", args=[application.reference]
    )


# --- The service ------------------------------------------------------------------------------


def test_obligation_to_leave_recorded_no_oqtf_person_gets_a_date(refused, paris_agent):
    assert application_legal_deadlines(refused).remedy == "not_computed"
    recorded = application_record_obligation_to_leave(
        application=refused, actor=paris_agent, obligation_to_leave=False
    )
    assert recorded.decision_obligation_to_leave is False
    deadlines = application_legal_deadlines(recorded)
    assert deadlines.remedy == "dated"
    assert deadlines.remedy_before is not None


def test_obligation_to_leave_recorded_writes_timeline_and_audit(refused, paris_agent):
    application_record_obligation_to_leave(
        application=refused, actor=paris_agent, obligation_to_leave=True
    )
    event = _recorded_events(refused).get()
    assert (event.actor, event.params) == (paris_agent, {"obligation_to_leave": True})
    entry = LogEntry.objects.get_for_object(refused).get(
        additional_data__action="decision_obligation_to_leave"
    )
    assert entry.actor == paris_agent
    assert entry.changes_dict["decision_obligation_to_leave"] == ["None", "True"]


def test_obligation_to_leave_same_answer_twice_recorded_once(refused, paris_agent):
    for _ in range(2):
        application_record_obligation_to_leave(
            application=refused, actor=paris_agent, obligation_to_leave=True
        )
    assert _recorded_events(refused).count() == 1


def test_obligation_to_leave_on_favourable_decision_refused(person, paris_agent):
    favourable = application_decide_favourable(
        application=complete(person, paris_agent), actor=paris_agent
    )
    with pytest.raises(DomainError) as refusal:
        application_record_obligation_to_leave(
            application=favourable, actor=paris_agent, obligation_to_leave=True
        )
    assert refusal.value.code == "obligation_to_leave_without_refusal"
    favourable.refresh_from_db()
    assert favourable.decision_obligation_to_leave is None


def test_obligation_to_leave_before_any_decision_refused(person, paris_agent):
    pending = complete(person, paris_agent)
    with pytest.raises(DomainError) as refusal:
        application_record_obligation_to_leave(
            application=pending, actor=paris_agent, obligation_to_leave=False
        )
    assert refusal.value.code == "obligation_to_leave_without_refusal"


def test_obligation_to_leave_other_prefecture_agent_refused_by_service(refused, lyon_agent):
    with pytest.raises(DomainError) as refusal:
        application_record_obligation_to_leave(
            application=refused, actor=lyon_agent, obligation_to_leave=False
        )
    assert refusal.value.code == "not_yours"
    refused.refresh_from_db()
    assert refused.decision_obligation_to_leave is None
    assert not _recorded_events(refused).exists()


# --- Timeline texts ---------------------------------------------------------------------------


def test_obligation_to_leave_timeline_person_reads_to_read_the_decision(refused, paris_agent):
    application_record_obligation_to_leave(
        application=refused, actor=paris_agent, obligation_to_leave=True
    )
    with translation.override("en"):
        text = event_text(_recorded_events(refused).get())
    assert "comes with an obligation to leave France (OQTF)" in text
    assert "read them in the decision" in text


def test_obligation_to_leave_timeline_agent_reads_who_recorded_no_oqtf(refused, paris_agent):
    application_record_obligation_to_leave(
        application=refused, actor=paris_agent, obligation_to_leave=False
    )
    with translation.override("en"):
        text = event_text(_recorded_events(refused).get(), audience=Audience.AGENT)
    assert text == (
        "An agent recorded that the refusal does not come with an obligation to leave France."
    )


# --- The back-office page and its attacks -----------------------------------------------------


def test_views_backoffice_obligation_to_leave_recorded(client, refused, paris_agent):
    client.force_login(paris_agent)
    response = client.post(_url(refused), {"oqtf-obligation_to_leave": "no"}, **ENGLISH)
    assert response.status_code == 302
    refused.refresh_from_db()
    assert refused.decision_obligation_to_leave is False


def test_views_backoffice_obligation_to_leave_form_shown_after_refusal(
    client, refused, paris_agent
):
    client.force_login(paris_agent)
    page = client.get(
        reverse("backoffice:application_detail", args=[refused.reference]), **ENGLISH
    ).content.decode()
    assert _url(refused) in page
    assert "is not recorded" in page


def test_views_backoffice_obligation_to_leave_without_answer_changes_nothing(
    client, refused, paris_agent
):
    client.force_login(paris_agent)
    client.post(_url(refused), {"oqtf-obligation_to_leave": ""}, **ENGLISH)
    refused.refresh_from_db()
    assert refused.decision_obligation_to_leave is None


def test_attack_obligation_to_leave_other_prefecture_agent_not_found(client, refused, lyon_agent):
    client.force_login(lyon_agent)
    response = client.post(_url(refused), {"oqtf-obligation_to_leave": "no"}, **ENGLISH)
    assert response.status_code == 404
    refused.refresh_from_db()
    assert refused.decision_obligation_to_leave is None
    assert not _recorded_events(refused).exists()


def test_attack_obligation_to_leave_the_person_cannot_record_it(client, refused, person):
    client.force_login(person.user)
    response = client.post(_url(refused), {"oqtf-obligation_to_leave": "no"}, **ENGLISH)
    assert response.status_code in (403, 404)
    assert Application.objects.get(pk=refused.pk).decision_obligation_to_leave is None


def test_attack_obligation_to_leave_on_a_closure_not_recorded(client, person, paris_agent):
    from applications.services import application_close

    closed = application_close(
        application=complete(person, paris_agent),
        actor=paris_agent,
        reason=DecisionReason.objects.filter(kind="closure").first(),
        explanation="No answer to the correction.",
        legal_basis="CRPA",
        remedies="Recours dans les 2 mois.",
    )
    client.force_login(paris_agent)
    client.post(_url(closed), {"oqtf-obligation_to_leave": "yes"}, **ENGLISH)
    closed.refresh_from_db()
    assert closed.decision_obligation_to_leave is False
    assert not _recorded_events(closed).exists()
