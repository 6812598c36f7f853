import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from substitution import services
from substitution.enums import AppointmentStatus, DeskKind
from substitution.models import QueueTicket, Slot
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.substitution.factories import CaseFactory, DeskFactory, SlotFactory, prefecture

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


@pytest.fixture
def agent(reference_data):
    return PrefectureAgentFactory(prefecture=prefecture("75"))


def test_view_backoffice_home_lists_own_prefecture_cases(
    client, agent, django_assert_max_num_queries
):
    own = [CaseFactory() for _ in range(5)]
    other = CaseFactory(prefecture=prefecture("93"))
    DeskFactory()
    client.force_login(agent)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("substitution_backoffice:home"), headers=EN)
    assert response.status_code == 200
    for case in own:
        assert case.reference in response.text
    assert other.reference not in response.text


def test_view_backoffice_case_other_prefecture_hidden(client, agent):
    case = CaseFactory(prefecture=prefecture("93"))
    client.force_login(agent)
    response = client.get(reverse("substitution_backoffice:case_detail", args=[case.reference]))
    assert response.status_code == 404


def test_view_backoffice_case_book_for_the_person(client, agent):
    case = CaseFactory()
    slot = SlotFactory()
    client.force_login(agent)
    response = client.get(reverse("substitution_backoffice:case_detail", args=[case.reference]))
    assert f'value="{slot.pk}"' in response.text
    response = client.post(
        reverse("substitution_backoffice:case_book", args=[case.reference]), {"slot": slot.pk}
    )
    assert response.status_code == 302
    appointment = case.appointments.get()
    assert appointment.booked_by == agent


def test_view_backoffice_desk_day_list_and_mark(client, agent, django_assert_max_num_queries):
    desk = DeskFactory()
    start = timezone.now() - datetime.timedelta(minutes=10)
    slot = SlotFactory(
        desk=desk, starts_at=start, ends_at=start + datetime.timedelta(minutes=30), capacity=5
    )
    cases = [CaseFactory() for _ in range(4)]
    appointments = [
        services.appointment_book(
            case=case, slot=slot, actor=None, now=start - datetime.timedelta(minutes=1)
        )
        for case in cases
    ]
    client.force_login(agent)
    url = reverse("substitution_backoffice:desk_day", args=[desk.pk])
    with django_assert_max_num_queries(10):
        response = client.get(url, {"day": timezone.localdate(start).isoformat()}, headers=EN)
    for case in cases:
        assert case.reference in response.text
    response = client.post(
        reverse("substitution_backoffice:appointment_mark", args=[appointments[0].pk]),
        {"attended": "0"},
    )
    assert response.status_code == 302
    appointments[0].refresh_from_db()
    assert appointments[0].status == AppointmentStatus.NO_SHOW


def test_view_backoffice_desk_slots_generate(client, agent):
    desk = DeskFactory()
    monday = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
    client.force_login(agent)
    response = client.post(
        reverse("substitution_backoffice:desk_slots", args=[desk.pk]),
        {
            "first_day": monday.isoformat(),
            "last_day": (monday + datetime.timedelta(days=4)).isoformat(),
            "weekdays": ["0", "1", "2", "3", "4"],
            "day_start": "09:00",
            "day_end": "11:00",
            "minutes": "30",
            "capacity": "2",
        },
    )
    assert response.status_code == 302
    assert Slot.objects.filter(desk=desk).count() == 20


def test_view_backoffice_desk_of_other_prefecture_hidden(client, agent):
    desk = DeskFactory(prefecture=prefecture("93"))
    client.force_login(agent)
    assert (
        client.get(reverse("substitution_backoffice:desk_slots", args=[desk.pk])).status_code == 404
    )


def test_view_backoffice_queue_issue_and_call(client, agent):
    pan = DeskFactory(
        kind=DeskKind.PAN, opening_hours={str(day): [["00:00", "23:59"]] for day in range(7)}
    )
    client.force_login(agent)
    client.post(
        reverse("substitution_backoffice:queue_issue", args=[pan.pk]), {"visitor_name": "Ali"}
    )
    client.post(
        reverse("substitution_backoffice:queue_issue", args=[pan.pk]), {"visitor_name": "Bea"}
    )
    client.post(reverse("substitution_backoffice:queue_next", args=[pan.pk]))
    response = client.get(reverse("substitution_backoffice:desk_queue", args=[pan.pk]), headers=EN)
    assert response.status_code == 200
    assert list(QueueTicket.objects.order_by("number").values_list("visitor_name", "status")) == [
        ("Ali", "called"),
        ("Bea", "waiting"),
    ]


def test_view_backoffice_figures(client, agent):
    slot = SlotFactory()
    client.force_login(agent)
    response = client.get(reverse("substitution_backoffice:figures"), headers=EN)
    assert response.status_code == 200
    assert response.context["figures"].next_free_slot == slot
    assert response.context["figures"].wait_days == 3


def test_view_backoffice_deposit_form_errors_shown(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("substitution_backoffice:deposit_new"),
        {"channel": "post", "kind": "renewal"},
        headers=EN,
    )
    assert response.status_code == 200
    assert "Required for a renewal." in response.text


def test_view_backoffice_pages_refused_to_applicant(client, reference_data):
    client.force_login(ApplicantProfileFactory().user)
    assert client.get(reverse("substitution_backoffice:home")).status_code == 403
