import pytest

from tests.attestations.factories import paris_agent


@pytest.fixture
def agent(reference_data):
    """An agent of the Paris prefecture (tests/attestations/factories.py)."""
    return paris_agent()
