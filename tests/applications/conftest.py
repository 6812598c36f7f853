"""Fixtures of the dossier tests: an applicant in Paris, agents of the Paris and Lyon
prefectures, an API client."""

import pytest
from rest_framework.test import APIClient

from reference.models import Prefecture
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def applicant(reference_data):
    """An applicant living in Paris (prefecture 75)."""
    return ApplicantProfileFactory().user


@pytest.fixture
def paris(reference_data) -> Prefecture:
    return Prefecture.objects.get(departement_code="75")


@pytest.fixture
def agent(paris):
    """An agent of the Paris prefecture."""
    return PrefectureAgentFactory(prefecture=paris)


@pytest.fixture
def other_agent(reference_data):
    return PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="69"))
