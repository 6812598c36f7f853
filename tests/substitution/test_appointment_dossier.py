"""An appointment is for a dossier when there is one; one appointment waiting per dossier,
refused by the database itself (issue 21)."""

import pytest
from django.db import IntegrityError, transaction

from anef.errors import DomainError
from substitution import services
from substitution.enums import AppointmentStatus
from substitution.models import Appointment
from tests.accounts.factories import ApplicantFactory
from tests.applications.factories import ApplicationFactory
from tests.substitution.factories import CaseFactory, SlotFactory

pytestmark = pytest.mark.django_db


def test_appointment_dossier_database_refuses_second_booked_for_one_application(reference_data):
    application = ApplicationFactory()
    Appointment.objects.create(slot=SlotFactory(), case=CaseFactory(), application=application)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(slot=SlotFactory(), case=CaseFactory(), application=application)


def test_appointment_dossier_database_accepts_second_once_first_cancelled(reference_data):
    application = ApplicationFactory()
    first = services.appointment_book(
        case=CaseFactory(application=application), slot=SlotFactory(), actor=None
    )
    services.appointment_cancel(appointment=first, actor=None)
    second = Appointment.objects.create(
        slot=SlotFactory(), case=CaseFactory(), application=application
    )
    assert second.status == AppointmentStatus.BOOKED


def test_appointment_dossier_book_takes_the_case_application(reference_data):
    application = ApplicationFactory()
    case = CaseFactory(application=application)
    appointment = services.appointment_book(case=case, slot=SlotFactory(), actor=None)
    assert appointment.application == application


def test_appointment_dossier_book_from_dossier_of_the_case_person(reference_data):
    person = ApplicantFactory()
    application = ApplicationFactory(applicant=person)
    case = CaseFactory(person=person)
    appointment = services.appointment_book(
        case=case, slot=SlotFactory(), actor=None, application=application
    )
    assert appointment.application == application


def test_appointment_dossier_book_other_person_dossier_refused(reference_data):
    case = CaseFactory(person=ApplicantFactory())
    with pytest.raises(DomainError) as error:
        services.appointment_book(
            case=case, slot=SlotFactory(), actor=None, application=ApplicationFactory()
        )
    assert error.value.code == "not_yours"


def test_appointment_dossier_second_case_same_dossier_told_plainly(reference_data):
    application = ApplicationFactory()
    services.appointment_book(
        case=CaseFactory(application=application), slot=SlotFactory(), actor=None
    )
    with pytest.raises(DomainError) as error:
        services.appointment_book(
            case=CaseFactory(application=application), slot=SlotFactory(), actor=None
        )
    assert error.value.code == "application_has_appointment"
    assert Appointment.objects.filter(application=application).count() == 1


def test_appointment_dossier_rebooking_same_case_moves_it(reference_data):
    application = ApplicationFactory()
    case = CaseFactory(application=application)
    first = services.appointment_book(case=case, slot=SlotFactory(), actor=None)
    second = services.appointment_book(case=case, slot=SlotFactory(), actor=None)
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CANCELLED
    assert second.application == application
