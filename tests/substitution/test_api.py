import pytest
from django.urls import reverse

from substitution import services
from substitution.enums import CaseOrigin, CaseStatus
from tests.accounts.factories import ApplicantProfileFactory
from tests.substitution.factories import SlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(reference_data):
    return ApplicantProfileFactory()


@pytest.fixture
def case(owner):
    return services.open_case(origin=CaseOrigin.PREFECTURE, person=owner.user)


def test_api_appointment_book_list_cancel(client, owner, case, django_assert_max_num_queries):
    slot = SlotFactory()
    client.force_login(owner.user)
    response = client.get(reverse("api:substitution-slot-list"), {"case": case.reference})
    assert [item["id"] for item in response.json()] == [slot.pk]
    response = client.post(
        reverse("api:substitution-appointment-list"),
        {"case": case.reference, "slot": slot.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    appointment_id = response.json()["id"]
    with django_assert_max_num_queries(6):
        response = client.get(reverse("api:substitution-appointment-list"))
    assert response.json()["results"][0]["slot"]["id"] == slot.pk
    response = client.post(reverse("api:substitution-appointment-cancel", args=[appointment_id]))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_api_appointment_book_full_slot_conflict(client, owner, case):
    slot = SlotFactory(capacity=1)
    other = services.open_case(origin=CaseOrigin.PREFECTURE, person=ApplicantProfileFactory().user)
    services.appointment_book(case=other, slot=slot, actor=None)
    client.force_login(owner.user)
    response = client.post(
        reverse("api:substitution-appointment-list"),
        {"case": case.reference, "slot": slot.pk},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "slot_full"


def test_api_appointment_book_other_person_case_not_found(client, case):
    client.force_login(ApplicantProfileFactory().user)
    response = client.post(
        reverse("api:substitution-appointment-list"),
        {"case": case.reference, "slot": SlotFactory().pk},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_api_appointment_cancel_other_person_not_found(client, case):
    appointment = services.appointment_book(case=case, slot=SlotFactory(), actor=None)
    client.force_login(ApplicantProfileFactory().user)
    response = client.post(reverse("api:substitution-appointment-cancel", args=[appointment.pk]))
    assert response.status_code == 404


def test_api_appointment_list_anonymous(client, reference_data):
    assert client.get(reverse("api:substitution-appointment-list")).status_code == 401
