import datetime

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from anef.errors import DomainError
from substitution import services
from substitution.enums import AppointmentStatus, CaseEventKind, CaseStatus
from substitution.models import Appointment
from tests.accounts.factories import PrefectureAgentFactory
from tests.substitution.factories import CaseFactory, DeskFactory, SlotFactory, prefecture

pytestmark = pytest.mark.django_db


def test_service_appointment_book_by_agent(
    reference_data, django_capture_on_commit_callbacks, mailoutbox
):
    agent = PrefectureAgentFactory(prefecture=prefecture("75"))
    case = CaseFactory()
    slot = SlotFactory()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.appointment_book(case=case, slot=slot, actor=agent)
    case.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert case.status == CaseStatus.APPOINTMENT_BOOKED
    assert case.events.filter(kind=CaseEventKind.APPOINTMENT_BOOKED, actor=agent).exists()
    assert LogEntry.objects.get_for_object(appointment).get().actor == agent
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [case.contact_email]
    assert case.access_token in mailoutbox[0].body  # no account: the private link
    appointment.refresh_from_db()
    assert appointment.confirmation_sent_at is not None


def test_service_appointment_book_full_slot_refused(reference_data):
    slot = SlotFactory(capacity=1)
    services.appointment_book(case=CaseFactory(), slot=slot, actor=None)
    with pytest.raises(DomainError) as error:
        services.appointment_book(case=CaseFactory(), slot=slot, actor=None)
    assert error.value.code == "slot_full"


def test_service_appointment_book_capacity_two(reference_data):
    slot = SlotFactory(capacity=2)
    services.appointment_book(case=CaseFactory(), slot=slot, actor=None)
    services.appointment_book(case=CaseFactory(), slot=slot, actor=None)
    with pytest.raises(DomainError):
        services.appointment_book(case=CaseFactory(), slot=slot, actor=None)
    assert slot.appointments.count() == 2


def test_service_appointment_cancelled_place_is_free_again(reference_data):
    slot = SlotFactory(capacity=1)
    first = services.appointment_book(case=CaseFactory(), slot=slot, actor=None)
    services.appointment_cancel(appointment=first, actor=None)
    first.case.refresh_from_db()
    assert first.case.status == CaseStatus.OPEN
    assert services.appointment_book(case=CaseFactory(), slot=slot, actor=None).pk != first.pk


def test_service_appointment_rebook_moves_the_appointment(reference_data):
    case = CaseFactory()
    desk = DeskFactory()
    first = services.appointment_book(case=case, slot=SlotFactory(desk=desk), actor=None)
    second = services.appointment_book(case=case, slot=SlotFactory(desk=desk), actor=None)
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CANCELLED
    assert second.status == AppointmentStatus.BOOKED
    assert Appointment.objects.filter(case=case, status=AppointmentStatus.BOOKED).count() == 1


def test_service_appointment_book_past_slot_refused(reference_data):
    slot = SlotFactory(
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() - datetime.timedelta(minutes=30),
    )
    with pytest.raises(DomainError) as error:
        services.appointment_book(case=CaseFactory(), slot=slot, actor=None)
    assert error.value.code == "slot_past"


def test_service_appointment_book_other_prefecture_refused(reference_data):
    slot = SlotFactory(desk=DeskFactory(prefecture=prefecture("93")))
    with pytest.raises(DomainError) as error:
        services.appointment_book(case=CaseFactory(), slot=slot, actor=None)
    assert error.value.code == "slot_other_prefecture"


def test_service_appointment_mark_no_show_reopens_case(reference_data):
    agent = PrefectureAgentFactory(prefecture=prefecture("75"))
    slot = SlotFactory()
    appointment = services.appointment_book(case=CaseFactory(), slot=slot, actor=None)
    with pytest.raises(DomainError) as error:
        services.appointment_mark(appointment=appointment, attended=False, actor=agent)
    assert error.value.code == "appointment_future"
    marked = services.appointment_mark(
        appointment=appointment, attended=False, actor=agent, now=slot.starts_at
    )
    assert marked.status == AppointmentStatus.NO_SHOW
    marked.case.refresh_from_db()
    assert marked.case.status == CaseStatus.OPEN
    assert marked.case.events.filter(kind=CaseEventKind.APPOINTMENT_MISSED).exists()


def test_service_appointment_mark_attended(reference_data):
    agent = PrefectureAgentFactory(prefecture=prefecture("75"))
    slot = SlotFactory()
    appointment = services.appointment_book(case=CaseFactory(), slot=slot, actor=None)
    marked = services.appointment_mark(
        appointment=appointment, attended=True, actor=agent, now=slot.starts_at
    )
    assert marked.status == AppointmentStatus.ATTENDED
    with pytest.raises(DomainError):
        services.appointment_mark(
            appointment=appointment, attended=False, actor=agent, now=slot.starts_at
        )


def test_service_case_close_cancels_its_appointment(reference_data):
    agent = PrefectureAgentFactory(prefecture=prefecture("75"))
    appointment = services.appointment_book(case=CaseFactory(), slot=SlotFactory(), actor=None)
    case = services.case_close(case=appointment.case, actor=agent)
    appointment.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert appointment.status == AppointmentStatus.CANCELLED
    with pytest.raises(DomainError):
        services.appointment_book(case=case, slot=SlotFactory(), actor=None)


def test_service_case_mode_change(reference_data):
    case = services.case_mode_change(case=CaseFactory(), mode="postal_deposit", actor=None)
    assert case.mode == "postal_deposit"
    assert case.events.filter(kind=CaseEventKind.MODE_CHANGED).count() == 1


def test_service_slots_generate_weekly_pattern_idempotent(reference_data):
    agent = PrefectureAgentFactory(prefecture=prefecture("75"))
    desk = DeskFactory()
    monday = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
    arguments = {
        "desk": desk,
        "first_day": monday,
        "last_day": monday + datetime.timedelta(days=13),
        "weekdays": [0, 2],
        "day_start": datetime.time(9, 0),
        "day_end": datetime.time(10, 0),
        "minutes": 30,
        "capacity": 2,
        "actor": agent,
    }
    assert services.slots_generate(**arguments) == 8  # 2 weeks × 2 days × 2 slots
    assert services.slots_generate(**arguments) == 0
    first = desk.slots.order_by("starts_at").first()
    assert timezone.localtime(first.starts_at).time() == datetime.time(9, 0)
    assert first.capacity == 2


def test_service_slots_generate_refuses_zero_capacity(reference_data):
    with pytest.raises(DomainError):
        services.slots_generate(
            desk=DeskFactory(),
            first_day=timezone.localdate(),
            last_day=timezone.localdate(),
            weekdays=[0],
            day_start=datetime.time(9),
            day_end=datetime.time(10),
            minutes=30,
            capacity=0,
            actor=None,
        )


def test_service_appointment_book_same_slot_twice_is_harmless(reference_data):
    case = CaseFactory()
    slot = SlotFactory(capacity=1)
    first = services.appointment_book(case=case, slot=slot, actor=None)
    assert services.appointment_book(case=case, slot=slot, actor=None) == first
    assert case.appointments.count() == 1
