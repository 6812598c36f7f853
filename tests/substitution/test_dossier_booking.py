"""Booking from the dossier's page (issue 21): a dossier routed to substitution shows its
appointment block; its applicant (or a mandated helper) books there, one appointment per
dossier — a second attempt is told so plainly and offered to move the existing one."""

import pytest
from django.urls import reverse

from anef.errors import DomainError
from substitution import services
from substitution.enums import AppointmentStatus, CaseOrigin
from substitution.models import Appointment, SubstitutionCase
from tests.accounts.factories import ApplicantFactory, HelperFactory, MandateFactory
from tests.applications.factories import ApplicationFactory
from tests.substitution.factories import DeskFactory, SlotFactory

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


@pytest.fixture
def dossier(reference_data):
    """A dossier whose applicant has an open substitution case in its prefecture."""
    application = ApplicationFactory()
    SubstitutionCase.objects.create(
        person=application.applicant,
        origin=CaseOrigin.CONTACT_CENTRE,
        prefecture=application.prefecture,
    )
    return application


@pytest.fixture
def slots(reference_data):
    desk = DeskFactory()
    return [SlotFactory(desk=desk) for _ in range(3)]


def _url(application):
    return reverse(
        "substitution_portal:dossier_appointment", kwargs={"reference": application.reference}
    )


def test_dossier_booking_service_books_for_the_dossier(dossier, slots):
    appointment = services.dossier_appointment_book(
        application=dossier, slot=slots[0], actor=dossier.applicant
    )
    assert appointment.application == dossier
    assert appointment.case.person == dossier.applicant


def test_dossier_booking_second_attempt_refused_with_existing_time(dossier, slots):
    services.dossier_appointment_book(application=dossier, slot=slots[0], actor=None)
    with pytest.raises(DomainError) as error:
        services.dossier_appointment_book(application=dossier, slot=slots[1], actor=None)
    assert error.value.code == "application_has_appointment"
    assert error.value.http_status == 409
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 1


def test_dossier_booking_move_keeps_one_appointment_at_the_new_time(dossier, slots):
    first = services.dossier_appointment_book(application=dossier, slot=slots[0], actor=None)
    moved = services.dossier_appointment_book(
        application=dossier, slot=slots[1], actor=None, move=True
    )
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CANCELLED
    assert moved.slot == slots[1]
    assert moved.application == dossier


def test_dossier_booking_dossier_without_substitution_case_refused(reference_data, slots):
    with pytest.raises(DomainError) as error:
        services.dossier_appointment_book(
            application=ApplicationFactory(), slot=slots[0], actor=None
        )
    assert error.value.code == "no_appointment_needed"


def test_dossier_booking_page_books_for_the_applicant(client, dossier, slots):
    client.force_login(dossier.applicant)
    response = client.post(_url(dossier), {"slot": slots[0].pk})
    assert response.status_code == 302
    assert Appointment.objects.get(application=dossier).slot == slots[0]


def test_dossier_booking_page_second_attempt_says_so_and_offers_move(client, dossier, slots):
    services.dossier_appointment_book(application=dossier, slot=slots[0], actor=None)
    client.force_login(dossier.applicant)
    response = client.post(_url(dossier), {"slot": slots[1].pk}, headers=EN)
    assert response.status_code == 409
    content = response.content.decode()
    assert "already has an appointment" in content
    assert 'name="move" value="1"' in content
    assert Appointment.objects.get(status=AppointmentStatus.BOOKED).slot == slots[0]


def test_dossier_booking_page_move_moves(client, dossier, slots):
    services.dossier_appointment_book(application=dossier, slot=slots[0], actor=None)
    client.force_login(dossier.applicant)
    response = client.post(_url(dossier), {"slot": slots[1].pk, "move": "1"})
    assert response.status_code == 302
    assert Appointment.objects.get(status=AppointmentStatus.BOOKED).slot == slots[1]


def test_dossier_booking_page_of_another_person_is_404(client, dossier, slots):
    client.force_login(ApplicantFactory())
    response = client.post(_url(dossier), {"slot": slots[0].pk})
    assert response.status_code == 404
    assert not Appointment.objects.exists()


def test_dossier_booking_page_helper_without_mandate_is_404(client, dossier, slots):
    client.force_login(HelperFactory())
    assert client.get(_url(dossier)).status_code == 404


def test_dossier_booking_page_mandated_helper_books(client, dossier, slots):
    mandate = MandateFactory(person=dossier.applicant)
    client.force_login(mandate.helper)
    response = client.post(_url(dossier), {"slot": slots[0].pk})
    assert response.status_code == 302
    assert Appointment.objects.get(application=dossier).booked_by == mandate.helper


def test_dossier_page_shows_the_appointment_block_when_routed(client, dossier, slots):
    client.force_login(dossier.applicant)
    detail = reverse("portal:application_detail", kwargs={"reference": dossier.reference})
    response = client.get(detail, headers=EN)
    assert _url(dossier) in response.content.decode()


def test_dossier_page_no_appointment_block_when_not_routed(client, reference_data):
    application = ApplicationFactory()
    client.force_login(application.applicant)
    detail = reverse("portal:application_detail", kwargs={"reference": application.reference})
    response = client.get(detail)
    assert _url(application) not in response.content.decode()
