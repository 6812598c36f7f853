"""Deposits received at the desk, by post or by e-mail, recorded as applications."""

import datetime

import pytest
from auditlog.models import LogEntry

from anef.errors import DomainError
from anef.workflow import TransitionNotAllowed
from applications.enums import Channel
from reference.models import Ground
from substitution import deposits, services
from substitution.enums import CaseOrigin, CaseStatus
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.helpers import with_all_documents
from tests.substitution.factories import CaseFactory, prefecture

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Ines",
    "last_name": "Haddad",
    "birth_date": datetime.date(1988, 5, 1),
    "nationality": "Tunisienne",
    "address_line": "5 avenue Jean Jaurès",
    "postal_code": "75019",
    "city": "Paris",
}


@pytest.fixture
def agent(reference_data):
    return PrefectureAgentFactory(prefecture=prefecture("75"))


def _start(agent, **kwargs):
    arguments = {
        "agent": agent,
        "channel": "post",
        "ground": Ground.objects.get(code="parent_of_french_child"),
        "kind": "first_application",
        **PERSON,
        **kwargs,
    }
    return deposits.deposit_start(**arguments)


def test_service_deposit_start_without_case_creates_account_and_case(agent):
    case = _start(agent, email="ines@example.org")
    application = case.application
    assert case.origin == CaseOrigin.PREFECTURE
    assert case.opened_by == agent
    assert application.channel == Channel.POST
    assert application.status == "draft"
    person = application.applicant
    assert person.email == "ines@example.org"
    assert not person.has_usable_password()
    assert person.applicant_profile.postal_code == "75019"
    assert (
        LogEntry.objects.get_for_object(case)
        .filter(additional_data__action="substitution_deposit_start")
        .exists()
    )


def test_service_deposit_start_without_email_gets_placeholder_account(agent):
    case = _start(agent)
    assert case.application.applicant.email.endswith("@" + deposits.NO_EMAIL_DOMAIN)


def test_service_deposit_start_reuses_existing_account(agent):
    profile = ApplicantProfileFactory(postal_code="75011", foreigner_number=None)
    case = _start(agent, email=profile.user.email.upper(), foreigner_number="7512345678")
    assert case.application.applicant == profile.user
    profile.refresh_from_db()
    assert profile.foreigner_number == "7512345678"


def test_service_deposit_start_other_prefecture_refused(agent):
    with pytest.raises(DomainError) as error:
        _start(agent, postal_code="93200", city="Saint-Denis")
    assert error.value.code == "other_prefecture"


def test_service_deposit_start_staff_email_refused(agent):
    with pytest.raises(DomainError) as error:
        _start(agent, email=agent.email)
    assert error.value.code == "not_an_applicant"


def test_service_deposit_file_from_case(agent, django_capture_on_commit_callbacks):
    case = CaseFactory(contact_email="ines@example.org")
    case = _start(agent, case=case, channel="email")
    with_all_documents(case.application)
    with django_capture_on_commit_callbacks(execute=True):
        application = deposits.deposit_file(case=case, actor=agent)
    case.refresh_from_db()
    assert application.status == "submitted"
    assert application.channel == Channel.EMAIL
    assert case.status == CaseStatus.DEPOSIT_RECEIVED
    assert case.person == application.applicant
    assert application.attestations.filter(kind="deposit_receipt").exists()
    with pytest.raises(DomainError):
        deposits.deposit_file(case=case, actor=agent)


def test_service_deposit_file_missing_documents_refused(agent):
    case = _start(agent)
    with pytest.raises(DomainError) as error:
        deposits.deposit_file(case=case, actor=agent)
    assert error.value.code == "missing_documents"
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_service_deposit_start_twice_for_a_case_refused(agent):
    case = _start(agent)
    with pytest.raises(DomainError) as error:
        _start(agent, case=case)
    assert error.value.code == "deposit_started"


def test_service_deposit_file_closed_case_refused_and_rolled_back(agent):
    """Before the workflow engine, filing the deposit of a closed case silently moved the case
    out of « closed »; the case table refuses it, and the dossier stays a draft."""
    case = _start(agent)
    with_all_documents(case.application)
    services.case_close(case=case, actor=agent)
    with pytest.raises(TransitionNotAllowed):
        deposits.deposit_file(case=case, actor=agent)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.application.status == "draft"
