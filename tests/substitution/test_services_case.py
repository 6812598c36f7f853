import pytest
from auditlog.models import LogEntry

from anef.errors import DomainError
from substitution import services
from substitution.enums import CaseEventKind, CaseMode, CaseOrigin, CaseStatus
from tests.accounts.factories import ApplicantProfileFactory, ContactCentreAgentFactory
from tests.substitution.factories import prefecture

pytestmark = pytest.mark.django_db


def test_service_case_open_without_account(reference_data):
    agent = ContactCentreAgentFactory()
    case = services.open_case(
        origin=CaseOrigin.CONTACT_CENTRE,
        contact_name="Awa Diallo",
        contact_email="Awa@Example.org",
        prefecture=prefecture("93"),
        summary="Cannot create an account",
        opened_by=agent,
    )
    assert case.mode == CaseMode.APPOINTMENT
    assert case.status == CaseStatus.OPEN
    assert case.contact_email == "awa@example.org"
    assert case.reference.startswith("S")
    assert len(case.access_token) >= 40
    assert case.access_token not in case.reference
    assert list(case.events.values_list("kind", "actor")) == [(CaseEventKind.OPENED, agent.pk)]
    entry = LogEntry.objects.get_for_object(case).get()
    assert entry.actor == agent
    assert entry.additional_data["action"] == "substitution_case_open"


def test_service_case_open_prefecture_from_profile(reference_data):
    profile = ApplicantProfileFactory(postal_code="93200", city="Saint-Denis")
    case = services.open_case(origin=CaseOrigin.AUTOMATIC_DETECTION, person=profile.user)
    assert case.prefecture.departement_code == "93"
    assert case.opened_by is None


def test_service_case_open_needs_a_way_to_reach_the_person(reference_data):
    with pytest.raises(DomainError) as error:
        services.open_case(origin=CaseOrigin.CONTACT_CENTRE, contact_name="Nobody")
    assert error.value.code == "contact_required"


def test_service_case_open_unknown_origin(reference_data):
    with pytest.raises(DomainError):
        services.open_case(origin="magic", contact_email="a@example.org")
