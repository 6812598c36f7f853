"""Fixtures of the thread's tests: a filed dossier of an applicant in Paris, whose agents are
`agent` (tests/applications/conftest.py)."""

import pytest
from django.utils import timezone

from applications.enums import ApplicationStatus
from tests.accounts.factories import ContactCentreAgentFactory, HelperFactory, MandateFactory
from tests.applications.factories import ApplicationFactory


@pytest.fixture
def application(applicant, paris):
    return ApplicationFactory(
        applicant=applicant,
        prefecture=paris,
        status=ApplicationStatus.SUBMITTED,
        filed_at=timezone.now(),
    )


@pytest.fixture
def mandated_helper(applicant):
    return MandateFactory(person=applicant).helper


@pytest.fixture
def helper(reference_data):
    """A helper with no mandate from the applicant."""
    return HelperFactory()


@pytest.fixture
def contact_centre(reference_data):
    return ContactCentreAgentFactory()
