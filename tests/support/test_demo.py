"""Demo tickets (support/demo.py): scenario 5 has no account; seeding twice adds nothing."""

import pytest

from support.demo import SCENARIO_5_EMAIL, support_demo_seed
from support.models import SavedAnswer, Ticket
from tests.accounts.factories import ApplicantProfileFactory, ContactCentreAgentFactory

pytestmark = pytest.mark.django_db


def test_demo_support_seed_idempotent(reference_data):
    users = {
        "contact": ContactCentreAgentFactory(),
        "applicant": ApplicantProfileFactory(postal_code="75011").user,
    }
    support_demo_seed(users)
    counts = (Ticket.objects.count(), SavedAnswer.objects.count())
    support_demo_seed(users)
    assert counts == (Ticket.objects.count(), SavedAnswer.objects.count()) == (3, 2)
    scenario_5 = Ticket.objects.get(email=SCENARIO_5_EMAIL)
    assert (scenario_5.channel, scenario_5.requester, scenario_5.person) == ("web_form", None, None)
    assert scenario_5.prefecture.departement_code == "93"
