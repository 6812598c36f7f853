"""The waiting list for an earlier time (issue 21): a freed place is offered to the first person
waiting at that desk, held for them, accepted in one step; an offer not taken expires and goes
to the next person."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from anef.errors import DomainError
from substitution import rules, services
from substitution.enums import AppointmentStatus, SlotOfferStatus, WaitlistStatus
from substitution.models import Appointment, SlotOffer
from tests.substitution.factories import CaseFactory, DeskFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _slot(desk, days: int, hour: int = 10):
    start = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=days), datetime.time(hour)
        )
    )
    return SlotFactory(desk=desk, starts_at=start, ends_at=start + datetime.timedelta(minutes=30))


@pytest.fixture
def desk(reference_data):
    return DeskFactory()


def _waiting(desk, days: int):
    """A person booked `days` ahead who asked for an earlier time."""
    appointment = services.appointment_book(case=CaseFactory(), slot=_slot(desk, days), actor=None)
    services.waitlist_join(case=appointment.case, actor=None)
    return appointment


def _free_early_slot(desk, days: int = 2):
    early = _slot(desk, days, hour=9)
    holder = services.appointment_book(case=CaseFactory(), slot=early, actor=None)
    return early, holder


def test_waitlist_cancel_offers_place_to_first_waiting(
    desk, django_capture_on_commit_callbacks, mailoutbox
):
    first = _waiting(desk, 10)
    _waiting(desk, 12)
    early, holder = _free_early_slot(desk)
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=holder, actor=None)
    offer = SlotOffer.objects.get(slot=early)
    assert offer.entry.case == first.case
    assert offer.status == SlotOfferStatus.PENDING
    assert offer.expires_at - offer.created_at == rules.OFFER_VALIDITY
    assert [m.to for m in mailoutbox] == [[first.case.contact_email]]
    assert offer.token in mailoutbox[0].body


def test_waitlist_place_later_than_own_appointment_not_offered(desk):
    _waiting(desk, 2)
    later = _slot(desk, 5)
    holder = services.appointment_book(case=CaseFactory(), slot=later, actor=None)
    services.appointment_cancel(appointment=holder, actor=None)
    assert services.slot_offer_next(later.pk) is None


def test_waitlist_offered_place_held_for_others(desk):
    _waiting(desk, 10)
    early, holder = _free_early_slot(desk)
    services.appointment_cancel(appointment=holder, actor=None)
    services.slot_offer_next(early.pk)
    with pytest.raises(DomainError) as error:
        services.appointment_book(case=CaseFactory(), slot=early, actor=None)
    assert error.value.code == "slot_full"


def test_waitlist_accept_moves_booking_in_one_step(desk):
    waiting = _waiting(desk, 10)
    early, holder = _free_early_slot(desk)
    services.appointment_cancel(appointment=holder, actor=None)
    offer = services.slot_offer_next(early.pk)
    moved = services.slot_offer_accept(token=offer.token)
    waiting.refresh_from_db()
    offer.refresh_from_db()
    assert moved.slot == early
    assert moved.case == waiting.case
    assert waiting.status == AppointmentStatus.CANCELLED
    assert offer.status == SlotOfferStatus.ACCEPTED
    assert offer.entry.status == WaitlistStatus.DONE


def test_waitlist_accept_twice_refused(desk):
    _waiting(desk, 10)
    early, holder = _free_early_slot(desk)
    services.appointment_cancel(appointment=holder, actor=None)
    offer = services.slot_offer_next(early.pk)
    services.slot_offer_accept(token=offer.token)
    with pytest.raises(DomainError) as error:
        services.slot_offer_accept(token=offer.token)
    assert error.value.code == "offer_answered"


def test_waitlist_accept_after_expiry_refused(desk):
    _waiting(desk, 10)
    early, holder = _free_early_slot(desk)
    services.appointment_cancel(appointment=holder, actor=None)
    offer = services.slot_offer_next(early.pk)
    with pytest.raises(DomainError) as error:
        services.slot_offer_accept(token=offer.token, now=offer.expires_at)
    assert error.value.code == "offer_expired"


def test_waitlist_expiry_offers_place_to_next(desk, django_capture_on_commit_callbacks):
    first = _waiting(desk, 10)
    second = _waiting(desk, 12)
    early, holder = _free_early_slot(desk)
    services.appointment_cancel(appointment=holder, actor=None)
    offer = services.slot_offer_next(early.pk)
    later = offer.expires_at + datetime.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.slot_offers_expire(now=later) == 1
    assert len(callbacks) == 1  # the freed place is offered again after commit
    following = services.slot_offer_next(early.pk, now=later)
    offer.refresh_from_db()
    assert offer.status == SlotOfferStatus.EXPIRED
    assert offer.entry.case == first.case
    assert following.entry.case == second.case


def test_waitlist_expiry_run_twice_expires_once(desk):
    _waiting(desk, 10)
    early, holder = _free_early_slot(desk)
    services.appointment_cancel(appointment=holder, actor=None)
    offer = services.slot_offer_next(early.pk)
    later = offer.expires_at + datetime.timedelta(seconds=1)
    assert services.slot_offers_expire(now=later) == 1
    assert services.slot_offers_expire(now=later) == 0


def test_waitlist_join_without_booking_refused(desk):
    with pytest.raises(DomainError) as error:
        services.waitlist_join(case=CaseFactory(), actor=None)
    assert error.value.code == "no_appointment"


def test_waitlist_join_twice_is_one_entry(desk):
    appointment = _waiting(desk, 10)
    again = services.waitlist_join(case=appointment.case, actor=None)
    assert appointment.case.waitlist_entries.count() == 1
    assert again.status == WaitlistStatus.WAITING


def test_waitlist_leave_gives_up_held_offer(desk):
    waiting = _waiting(desk, 10)
    early, holder = _free_early_slot(desk)
    services.appointment_cancel(appointment=holder, actor=None)
    offer = services.slot_offer_next(early.pk)
    services.waitlist_leave(case=waiting.case, actor=None)
    offer.refresh_from_db()
    assert offer.status == SlotOfferStatus.VOID
    assert services.appointment_book(case=CaseFactory(), slot=early, actor=None)


def test_waitlist_offer_page_accept_by_link_without_account(client, desk):
    waiting = _waiting(desk, 10)
    early, holder = _free_early_slot(desk)
    services.appointment_cancel(appointment=holder, actor=None)
    offer = services.slot_offer_next(early.pk)
    url = reverse("substitution_public:slot_offer", kwargs={"token": offer.token})
    assert client.get(url).status_code == 200
    response = client.post(url, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert b"Your appointment is moved" in response.content
    assert Appointment.objects.get(case=waiting.case, status=AppointmentStatus.BOOKED).slot == early


def test_waitlist_offer_page_unknown_token_404(client, desk):
    url = reverse("substitution_public:slot_offer", kwargs={"token": "x" * 43})
    assert client.post(url).status_code == 404


def test_waitlist_offer_link_of_other_offer_moves_only_its_person(client, desk):
    waiting = _waiting(desk, 10)
    bystander = _waiting(desk, 11)
    early, holder = _free_early_slot(desk)
    services.appointment_cancel(appointment=holder, actor=None)
    offer = services.slot_offer_next(early.pk)
    client.post(reverse("substitution_public:slot_offer", kwargs={"token": offer.token}))
    bystander.refresh_from_db()
    assert offer.entry.case == waiting.case
    assert bystander.status == AppointmentStatus.BOOKED


def test_waitlist_case_page_join_by_private_link(client, desk):
    appointment = services.appointment_book(case=CaseFactory(), slot=_slot(desk, 10), actor=None)
    case = appointment.case
    client.post(
        reverse("substitution_public:case_waitlist", kwargs={"token": case.access_token}),
        {"action": "join"},
    )
    assert case.waitlist_entries.get().status == WaitlistStatus.WAITING
