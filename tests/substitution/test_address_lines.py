"""The appointment's address, line by line, as the confirmation page and e-mail print it."""

import pytest

from substitution import services
from substitution.selectors import appointment_address_lines
from tests.substitution.factories import CaseFactory, DeskFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _appointment(location: str):
    desk = DeskFactory(location=location)
    return services.appointment_book(case=CaseFactory(), slot=SlotFactory(desk=desk), actor=None)


def test_address_lines_desk_spot_and_prefecture_street_in_order(reference_data):
    appointment = _appointment("Hall B")
    prefecture = appointment.slot.desk.prefecture
    assert appointment_address_lines(appointment) == [
        appointment.slot.desk.name,
        "Hall B",
        prefecture.name,
        prefecture.address_line,
        f"{prefecture.postal_code} {prefecture.city}",
    ]


def test_address_lines_desk_at_the_prefecture_street_said_once(reference_data):
    street = _appointment("x").slot.desk.prefecture.address_line
    appointment = _appointment(street)
    assert appointment_address_lines(appointment).count(street) == 1
