"""The one-click cancel link of confirmations and reminders: no account, that appointment only,
once; forged, replayed and other people's links cancel nothing (issue 21)."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from anef.errors import DomainError
from substitution import services
from substitution.cancel_links import CANCEL_SALT, _base36, cancel_token, cancel_url
from substitution.enums import AppointmentStatus
from tests.substitution.factories import CaseFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _url(token: str) -> str:
    return reverse("substitution_public:appointment_cancel", kwargs={"token": token})


@pytest.fixture
def booked(reference_data):
    return services.appointment_book(case=CaseFactory(), slot=SlotFactory(), actor=None)


def test_cancel_link_get_cancels_nothing(client, booked):
    response = client.get(_url(cancel_token(booked)), headers={"accept-language": "en"})
    booked.refresh_from_db()
    assert response.status_code == 200
    assert booked.status == AppointmentStatus.BOOKED
    assert b"Cancel this appointment" in response.content


def test_cancel_link_post_without_account_cancels_and_frees_slot(client, booked):
    response = client.post(_url(cancel_token(booked)), headers={"accept-language": "en"})
    booked.refresh_from_db()
    assert response.status_code == 200
    assert booked.status == AppointmentStatus.CANCELLED
    assert b"Your appointment is cancelled" in response.content
    # The place is free again: someone else books it.
    again = services.appointment_book(case=CaseFactory(), slot=booked.slot, actor=None)
    assert again.status == AppointmentStatus.BOOKED


def test_cancel_link_replayed_changes_nothing_more(client, booked):
    token = cancel_token(booked)
    client.post(_url(token))
    other = services.appointment_book(case=CaseFactory(), slot=booked.slot, actor=None)
    response = client.post(_url(token), headers={"accept-language": "en"})
    other.refresh_from_db()
    assert other.status == AppointmentStatus.BOOKED
    assert b"already cancelled" in response.content


def test_cancel_link_forged_is_404(client, booked):
    signer = signing.Signer(key="not-our-secret", salt=CANCEL_SALT)
    forged = f"{booked.pk}-{signer.signature(str(booked.pk))[:16]}"
    response = client.post(_url(forged))
    booked.refresh_from_db()
    assert response.status_code == 404
    assert booked.status == AppointmentStatus.BOOKED


def test_cancel_link_altered_pk_is_404(client, booked):
    mine = services.appointment_book(case=CaseFactory(), slot=SlotFactory(), actor=None)
    signature = cancel_token(booked)[-11:]
    altered = f"{_base36(mine.pk)}{signature}"
    response = client.post(_url(altered))
    mine.refresh_from_db()
    assert response.status_code == 404
    assert mine.status == AppointmentStatus.BOOKED


def test_cancel_link_other_person_token_cancels_only_theirs(client, booked):
    mine = services.appointment_book(case=CaseFactory(), slot=SlotFactory(), actor=None)
    client.post(_url(cancel_token(mine)))
    booked.refresh_from_db()
    mine.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    assert mine.status == AppointmentStatus.CANCELLED


def test_cancel_link_past_appointment_not_cancelled(client, reference_data):
    start = timezone.now() + datetime.timedelta(hours=1)
    slot = SlotFactory(starts_at=start, ends_at=start + datetime.timedelta(minutes=30))
    appointment = services.appointment_book(case=CaseFactory(), slot=slot, actor=None)
    with pytest.raises(DomainError) as error:
        services.appointment_cancel_by_link(
            token=cancel_token(appointment), now=start + datetime.timedelta(minutes=1)
        )
    assert error.value.code == "slot_past"


def test_cancel_link_in_confirmation_and_reminder(
    reference_data, django_capture_on_commit_callbacks, mailoutbox
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(10)))
    slot = SlotFactory(starts_at=start, ends_at=start + datetime.timedelta(minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.appointment_book(case=CaseFactory(), slot=slot, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_reminders_send()
    link = cancel_url(appointment)
    assert len(mailoutbox) == 2
    assert all(link in message.body for message in mailoutbox)


@pytest.mark.parametrize(
    "token",
    [
        "-",
        "12",
        "12-",
        "x-AAAAAAAAAAAAAAAA",
        "١٢-AAAAAAAAAAAAAAAA",
        "AAAAAAAAAAA",  # a signature without a number
        "1AAAAAAAAAA",  # one character short
        "0" + "A" * 11,  # a leading zero
        "Z" + "A" * 11,  # a number in uppercase
        "1" + "A" * 10 + "-",  # outside base 62
        "1" + "A" * 10 + "١",  # an Arabic digit
    ],
)
def test_cancel_link_malformed_token_is_404(client, booked, token):
    response = client.post(f"/r/{token}")
    booked.refresh_from_db()
    assert response.status_code == 404
    assert booked.status == AppointmentStatus.BOOKED


def test_cancel_link_short_address_fits_a_text_and_cancels(client, booked, settings):
    settings.SMS_SITE_URL = "https://anef.fr"
    from anef.sms import APPOINTMENT_LINK_MAX_LENGTH

    link = cancel_url(booked, site=settings.SMS_SITE_URL)
    assert len(link) <= APPOINTMENT_LINK_MAX_LENGTH
    response = client.post(link.removeprefix("https://anef.fr"))
    booked.refresh_from_db()
    assert response.status_code == 200
    assert booked.status == AppointmentStatus.CANCELLED
