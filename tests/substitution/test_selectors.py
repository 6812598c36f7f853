import datetime

import pytest
from django.utils import timezone

from substitution import selectors, services
from tests.accounts.factories import PrefectureAgentFactory
from tests.substitution.factories import CaseFactory, DeskFactory, SlotFactory, prefecture

pytestmark = pytest.mark.django_db


def test_selector_prefecture_figures(reference_data):
    agent = PrefectureAgentFactory(prefecture=prefecture("75"))
    desk = DeskFactory()
    start = timezone.now() + datetime.timedelta(hours=1)
    past = SlotFactory(
        desk=desk, starts_at=start, ends_at=start + datetime.timedelta(minutes=30), capacity=4
    )
    appointments = [
        services.appointment_book(case=CaseFactory(), slot=past, actor=None) for _ in range(4)
    ]
    for appointment, attended in zip(appointments, (True, True, True, False), strict=True):
        services.appointment_mark(
            appointment=appointment, attended=attended, actor=agent, now=start
        )
    free = SlotFactory(desk=desk)  # three days from now
    full = SlotFactory(
        desk=desk,
        starts_at=free.starts_at - datetime.timedelta(days=1),
        ends_at=free.starts_at - datetime.timedelta(days=1, minutes=-30),
    )
    services.appointment_book(case=CaseFactory(), slot=full, actor=None)
    figures = selectors.prefecture_figures(prefecture("75"))
    assert figures.next_free_slot == free  # the full slot and the past one are skipped
    assert figures.wait_days == 3
    assert (figures.attended, figures.no_show) == (3, 1)
    assert figures.no_show_rate == 0.25


def test_selector_prefecture_figures_without_slots(reference_data):
    figures = selectors.prefecture_figures(prefecture("93"))
    assert figures.next_free_slot is None
    assert figures.wait_days is None
    assert figures.no_show_rate is None


def test_selector_slot_list_free_other_prefecture_excluded(reference_data):
    SlotFactory(desk=DeskFactory(prefecture=prefecture("93")))
    assert not selectors.slot_list_free(prefecture=prefecture("75")).exists()
    assert selectors.slot_list_free(prefecture=None).count() == 1
