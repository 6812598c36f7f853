"""One appointment waiting per person with an account, across all their cases (issue 21: a
person may hold several open cases; a desk's time is not held through each, nor resold)."""

import pytest
from django.db import IntegrityError, transaction

from anef.errors import DomainError
from substitution import services
from substitution.enums import AppointmentStatus
from substitution.models import Appointment
from tests.accounts.factories import ApplicantFactory
from tests.substitution.factories import CaseFactory, SlotFactory

pytestmark = pytest.mark.django_db


def test_one_per_person_second_case_booking_refused_plainly(reference_data):
    person = ApplicantFactory()
    services.appointment_book(case=CaseFactory(person=person), slot=SlotFactory(), actor=None)
    with pytest.raises(DomainError) as error:
        services.appointment_book(case=CaseFactory(person=person), slot=SlotFactory(), actor=None)
    assert error.value.code == "person_has_appointment"
    assert error.value.http_status == 409


def test_one_per_person_booking_copies_the_case_person(reference_data):
    person = ApplicantFactory()
    appointment = services.appointment_book(
        case=CaseFactory(person=person), slot=SlotFactory(), actor=None
    )
    assert appointment.person == person


def test_one_per_person_database_refuses_two_booked_for_one_person(reference_data):
    person = ApplicantFactory()
    Appointment.objects.create(slot=SlotFactory(), case=CaseFactory(person=person), person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            slot=SlotFactory(), case=CaseFactory(person=person), person=person
        )


def test_one_per_person_second_case_books_once_first_cancelled(reference_data):
    person = ApplicantFactory()
    first = services.appointment_book(
        case=CaseFactory(person=person), slot=SlotFactory(), actor=None
    )
    services.appointment_cancel(appointment=first, actor=None)
    second = services.appointment_book(
        case=CaseFactory(person=person), slot=SlotFactory(), actor=None
    )
    assert second.status == AppointmentStatus.BOOKED


def test_one_per_person_rebooking_same_case_moves_it(reference_data):
    person = ApplicantFactory()
    case = CaseFactory(person=person)
    first = services.appointment_book(case=case, slot=SlotFactory(), actor=None)
    second = services.appointment_book(case=case, slot=SlotFactory(), actor=None)
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CANCELLED
    assert second.status == AppointmentStatus.BOOKED


def test_one_per_person_two_people_without_account_not_limited_together(reference_data):
    """Cases without an account are held to one open case per confirmed address instead."""
    services.appointment_book(case=CaseFactory(), slot=SlotFactory(), actor=None)
    other = services.appointment_book(case=CaseFactory(), slot=SlotFactory(), actor=None)
    assert other.person is None
