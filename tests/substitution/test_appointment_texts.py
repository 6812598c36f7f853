"""A booking's confirmation and its reminder go by text too, to a person with an account who
chose texts and proved their number, with the short cancel link that frees the slot (issue 21)."""

import datetime

import pytest
from django.utils import timezone

from accounts.enums import ContactChannels
from anef.enums import MessageChannel
from anef.models import OutgoingMessage
from substitution import services
from substitution.cancel_links import cancel_token
from substitution.enums import AppointmentStatus
from tests.accounts.factories import ApplicantFactory
from tests.substitution.factories import CaseFactory, SlotFactory

pytestmark = pytest.mark.django_db
NUMBER = "+33612345678"


def _texts():
    return OutgoingMessage.objects.filter(channel=MessageChannel.SMS)


def _booked(person):
    return services.appointment_book(
        case=CaseFactory(person=person), slot=SlotFactory(), actor=None
    )


def _texter(**overrides):
    fields = {
        "contact_channels": ContactChannels.BOTH,
        "phone_number": NUMBER,
        "phone_verified_at": timezone.now(),
    }
    return ApplicantFactory(**{**fields, **overrides})


def test_appointment_confirmation_texts_person_who_chose_texts_once(reference_data, settings):
    settings.SMS_SITE_URL = "https://anef.fr"
    appointment = _booked(_texter())
    services.appointment_confirmation_send(appointment.pk)
    services.appointment_confirmation_send(appointment.pk)
    text = _texts().get()
    assert text.recipient == NUMBER
    link = text.body.split()[-1]
    assert link == f"https://anef.fr/r/{cancel_token(appointment)}"


def test_appointment_text_cancel_link_frees_the_slot(client, reference_data, settings):
    settings.SMS_SITE_URL = "https://anef.fr"
    appointment = _booked(_texter())
    services.appointment_confirmation_send(appointment.pk)
    link = _texts().get().body.split()[-1]
    response = client.post(link.removeprefix("https://anef.fr"))
    appointment.refresh_from_db()
    assert response.status_code == 200
    assert appointment.status == AppointmentStatus.CANCELLED


def test_appointment_reminder_texts_the_day_before(reference_data):
    appointment = _booked(_texter())
    starts_at = appointment.slot.starts_at
    services.appointment_reminders_send(now=starts_at - datetime.timedelta(days=1))
    assert _texts().count() == 1


@pytest.mark.parametrize(
    "overrides",
    [{"contact_channels": ContactChannels.EMAIL}, {"phone_verified_at": None}],
    ids=["e-mail only", "number not proven"],
)
def test_appointment_confirmation_no_text_without_choice_or_proof(reference_data, overrides):
    appointment = _booked(_texter(**overrides))
    services.appointment_confirmation_send(appointment.pk)
    assert not _texts().exists()
