import pytest
from django.urls import reverse

from substitution import services
from substitution.enums import CaseOrigin, CaseStatus
from tests.accounts.factories import ApplicantProfileFactory
from tests.substitution.factories import CaseFactory, SlotFactory

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


def test_view_public_case_by_token_books_and_cancels(client, reference_data):
    case = CaseFactory()
    slot = SlotFactory()
    url = reverse("substitution_public:case", kwargs={"token": case.access_token})
    response = client.get(url, headers=EN)
    assert response.status_code == 200
    assert "private link" in response.text
    client.post(
        reverse("substitution_public:case_book", args=[case.access_token]), {"slot": slot.pk}
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.APPOINTMENT_BOOKED
    client.post(reverse("substitution_public:case_cancel", args=[case.access_token]))
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_view_public_case_reference_alone_not_enough(client, reference_data):
    case = CaseFactory()
    assert client.get(reverse("substitution_public:case", args=[case.reference])).status_code == 404
    wrong = case.access_token[:-1] + ("A" if case.access_token[-1] != "A" else "B")
    assert client.get(reverse("substitution_public:case", args=[wrong])).status_code == 404


def test_view_public_case_mode_change(client, reference_data):
    case = CaseFactory()
    client.post(
        reverse("substitution_public:case_mode", args=[case.access_token]),
        {"mode": "email_deposit"},
    )
    case.refresh_from_db()
    assert case.mode == "email_deposit"


def test_view_portal_case_of_another_person_hidden(client, reference_data):
    owner = ApplicantProfileFactory()
    case = services.open_case(origin=CaseOrigin.PREFECTURE, person=owner.user)
    client.force_login(ApplicantProfileFactory().user)
    assert (
        client.get(reverse("substitution_portal:case_detail", args=[case.reference])).status_code
        == 404
    )


def test_view_portal_home_and_case(client, reference_data, django_assert_max_num_queries):
    owner = ApplicantProfileFactory()
    case = services.open_case(origin=CaseOrigin.PREFECTURE, person=owner.user)
    slot = SlotFactory()
    services.appointment_book(case=case, slot=slot, actor=owner.user)
    client.force_login(owner.user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("substitution_portal:home"), headers=EN)
    assert case.reference in response.text
    response = client.get(
        reverse("substitution_portal:case_detail", args=[case.reference]), headers=EN
    )
    assert "Your appointment" in response.text
    assert "Cancel my appointment" in response.text
