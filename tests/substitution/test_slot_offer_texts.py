"""An earlier place offered by the waiting list goes by text too, to a person with an account
who chose texts, with a short accept link (/o/<key>) that fits a text (issue 21)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import ContactChannels
from anef.enums import MessageChannel, NotificationKind
from anef.models import OutgoingMessage
from anef.sms import APPOINTMENT_LINK_MAX_LENGTH
from substitution import services
from substitution.cancel_links import (
    _base36,
    cancel_token,
    offer_for_short_key,
    offer_short_key,
)
from substitution.enums import AppointmentStatus, SlotOfferStatus
from substitution.models import SlotOffer
from tests.accounts.factories import ApplicantFactory
from tests.substitution.factories import CaseFactory, DeskFactory, SlotFactory

pytestmark = pytest.mark.django_db
NUMBER = "+33612345678"


def _slot(desk, days: int, hour: int = 10):
    start = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=days), datetime.time(hour)
        )
    )
    return SlotFactory(desk=desk, starts_at=start, ends_at=start + datetime.timedelta(minutes=30))


def _texter():
    return ApplicantFactory(
        contact_channels=ContactChannels.BOTH,
        phone_number=NUMBER,
        phone_verified_at=timezone.now(),
    )


@pytest.fixture
def desk(reference_data):
    return DeskFactory()


def _offer(desk, person):
    booked = services.appointment_book(
        case=CaseFactory(person=person), slot=_slot(desk, 10), actor=None
    )
    services.waitlist_join(case=booked.case, actor=None)
    early = _slot(desk, 2, hour=9)
    holder = services.appointment_book(case=CaseFactory(), slot=early, actor=None)
    services.appointment_cancel(appointment=holder, actor=None)
    return services.slot_offer_next(early.pk), booked


def _texts():
    return OutgoingMessage.objects.filter(channel=MessageChannel.SMS)


def test_slot_offer_text_sent_to_person_who_chose_texts_with_short_link(desk, settings):
    settings.SMS_SITE_URL = "https://anef.fr"
    offer, _ = _offer(desk, _texter())
    text = _texts().get()
    assert text.recipient == NUMBER
    link = text.body.split()[-1]
    assert link == f"https://anef.fr/o/{offer_short_key(offer)}"
    assert len(link) <= APPOINTMENT_LINK_MAX_LENGTH


def test_slot_offer_text_not_sent_to_person_without_texts(desk):
    _offer(desk, ApplicantFactory(contact_channels=ContactChannels.EMAIL))
    assert not _texts().exists()


def test_slot_offer_text_logged_under_its_own_kind(desk):
    from anef.models import NotificationLog

    _offer(desk, _texter())
    assert NotificationLog.objects.filter(kind=NotificationKind.SLOT_OFFER).count() == 1


def test_slot_offer_short_link_accepts_the_offer(desk, client):
    offer, booked = _offer(desk, _texter())
    url = reverse("slot_offer_short", kwargs={"token": offer_short_key(offer)})
    response = client.post(url)
    assert response.status_code == 200
    offer.refresh_from_db()
    booked.refresh_from_db()
    assert offer.status == SlotOfferStatus.ACCEPTED
    assert booked.status == AppointmentStatus.CANCELLED


def test_slot_offer_short_link_get_changes_nothing(desk, client):
    offer, _ = _offer(desk, _texter())
    response = client.get(reverse("slot_offer_short", kwargs={"token": offer_short_key(offer)}))
    assert response.status_code == 200
    offer.refresh_from_db()
    assert offer.status == SlotOfferStatus.PENDING


def test_slot_offer_short_link_altered_key_is_404(desk, client):
    offer, _ = _offer(desk, _texter())
    key = offer_short_key(offer)
    forged = key[:-11] + ("A" * 11 if key[-11:] != "A" * 11 else "B" * 11)
    response = client.post(reverse("slot_offer_short", kwargs={"token": forged}))
    assert response.status_code == 404
    assert SlotOffer.objects.get(pk=offer.pk).status == SlotOfferStatus.PENDING


def test_slot_offer_short_key_of_another_offer_number_refused(desk):
    offer, _ = _offer(desk, _texter())
    signature = offer_short_key(offer)[-11:]
    assert offer_for_short_key(f"{_base36(offer.pk + 1)}{signature}") is None


def test_slot_offer_short_link_cancel_key_does_not_open_an_offer(desk):
    """A cancel key (another salt) of an appointment numbered like the offer opens nothing."""
    _, booked = _offer(desk, _texter())
    assert offer_for_short_key(cancel_token(booked)) is None


def test_slot_offer_taken_new_booking_texted_with_its_own_cancel_link_same_day(desk, settings):
    """Walked 2026-12-04: the first booking's text went, the earlier slot's offer went, but the
    booking that replaced the first one the same day was never texted (once per kind and day):
    the only cancel link the person held was the cancelled booking's."""
    from substitution.services.appointments import appointment_confirmation_send

    settings.SMS_SITE_URL = "https://anef.fr"
    offer, first = _offer(desk, _texter())
    appointment_confirmation_send(first.pk)
    moved = services.slot_offer_accept(token=offer.token)
    appointment_confirmation_send(moved.pk)
    appointment_confirmation_send(moved.pk)  # a retry of the task sends nothing more
    confirmations = [
        text.body
        for text in _texts().order_by("pk")
        if "/r/" in text.body  # the offer's text carries /o/
    ]
    assert [body.split()[-1] for body in confirmations] == [
        f"https://anef.fr/r/{cancel_token(first)}",
        f"https://anef.fr/r/{cancel_token(moved)}",
    ]


def test_slot_offer_taken_old_cancel_link_says_where_the_new_appointment_is(client, desk):
    from django.utils import translation
    from django.utils.formats import date_format

    from substitution.cancel_links import cancel_url

    offer, first = _offer(desk, _texter())
    moved = services.slot_offer_accept(token=offer.token)
    page = client.get(cancel_url(first), headers={"accept-language": "en"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "This appointment was replaced" in text
    with translation.override("en"):
        assert date_format(timezone.localtime(moved.slot.starts_at), "l j F Y") in text
    assert "<form" not in text.split("<main", 1)[1].split("</main>")[0]  # nothing to cancel here


def test_slot_offer_email_no_doubled_full_stop_after_a_time(desk):
    """English wrote « at 2 p.m.. » and « until … 6:55 p.m.. » (walked 2026-12-04): e-mails
    write times as 14:00 in every language."""
    _offer(desk, ApplicantFactory(contact_channels=ContactChannels.EMAIL))
    body = OutgoingMessage.objects.get(
        channel=MessageChannel.EMAIL, subject__contains="earlier"
    ).body
    assert ".." not in body
    assert "p.m." not in body and "a.m." not in body
