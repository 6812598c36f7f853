"""A filed dossier in Paris with one file per mandatory piece, built through the services."""

import pytest

from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.helpers import filed


@pytest.fixture
def profile(paris):
    return ApplicantProfileFactory(postal_code="75011")


@pytest.fixture
def application(profile):
    return filed(profile)


@pytest.fixture
def documents(application):
    return list(application.documents.select_related("document_type").order_by("pk"))


@pytest.fixture
def colleague(paris):
    return PrefectureAgentFactory(prefecture=paris)
