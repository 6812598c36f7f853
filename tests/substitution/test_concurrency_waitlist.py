"""Two accepts of one offered place at once: one wins, the other is told (issue 21)."""

import datetime

import pytest
from django.utils import timezone

from anef.errors import DomainError
from substitution import services
from substitution.enums import AppointmentStatus
from substitution.models import Appointment, SlotOffer
from tests.concurrency import postgresql_only, run_at_once
from tests.substitution.factories import CaseFactory, DeskFactory, SlotFactory


def _slot(desk, days: int, hour: int = 10):
    start = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=days), datetime.time(hour)
        )
    )
    return SlotFactory(desk=desk, starts_at=start, ends_at=start + datetime.timedelta(minutes=30))


def _offer(desk):
    waiting = services.appointment_book(case=CaseFactory(), slot=_slot(desk, 10), actor=None)
    services.waitlist_join(case=waiting.case, actor=None)
    early = _slot(desk, 2, hour=9)
    holder = services.appointment_book(case=CaseFactory(), slot=early, actor=None)
    services.appointment_cancel(appointment=holder, actor=None)  # offers it after commit
    return early, SlotOffer.objects.get(slot=early)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrency_offer_accepted_twice_at_once_one_wins(reference_data):
    early, offer = _offer(DeskFactory())
    errors = run_at_once(lambda _: services.slot_offer_accept(token=offer.token), [1, 2])
    assert [e.code for e in errors if isinstance(e, DomainError)] == ["offer_answered"]
    assert len(errors) == 1
    assert Appointment.objects.filter(slot=early, status=AppointmentStatus.BOOKED).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrency_offer_accept_and_direct_booking_one_wins(reference_data):
    early, offer = _offer(DeskFactory())
    stranger = CaseFactory()

    def act(which):
        if which == "accept":
            services.slot_offer_accept(token=offer.token)
        else:
            services.appointment_book(case=stranger, slot=early, actor=None)

    errors = run_at_once(act, ["accept", "book"])
    assert [e.code for e in errors if isinstance(e, DomainError)] == ["slot_full"]
    booked = Appointment.objects.get(slot=early, status=AppointmentStatus.BOOKED)
    assert booked.case == offer.entry.case
