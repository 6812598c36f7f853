import pytest

from substitution.demo import substitution_demo_seed
from substitution.models import Desk, Slot, SubstitutionCase
from substitution.selectors import slot_list_free
from tests.substitution.factories import prefecture

pytestmark = pytest.mark.django_db


def test_demo_substitution_seed_idempotent(reference_data):
    substitution_demo_seed()
    counts = (Desk.objects.count(), Slot.objects.count(), SubstitutionCase.objects.count())
    substitution_demo_seed()
    assert counts == (Desk.objects.count(), Slot.objects.count(), SubstitutionCase.objects.count())
    assert counts[0] == 4  # a substitution desk and a PAN in 75 and 93
    for code in ("75", "93"):
        assert slot_list_free(prefecture=prefecture(code)).exists()
