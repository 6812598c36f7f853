"""Issue 15, finding "three refused sign-ups from a throwaway address open a substitution case
that can book real desk slots (6 bookings in 5 s, no limit)", played as an attacker over HTTP.

Against the code before issue 15 every test here fails: the case books at once, a second case
opens for the same address and from the same network, and the code routes do not exist."""

import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from anef import one_time_codes
from substitution import rules
from substitution.enums import AppointmentStatus, CaseOrigin
from substitution.models import Appointment, SubstitutionCase
from tests.accounts.factories import PrefectureAgentFactory
from tests.substitution.factories import CaseFactory, SlotFactory, prefecture

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
ATTACKER_IP = "203.0.113.7"


def _refused_signups(client, email: str, ip: str = ATTACKER_IP) -> None:
    for _ in range(3):
        client.post(
            reverse("account_signup"),
            {"email": email, "password1": "x", "password2": "y"},
            REMOTE_ADDR=ip,
        )


def _help_request(client, email: str, ip: str = ATTACKER_IP):
    return client.post(
        reverse("substitution_public:help_request"),
        {"contact_name": "Throw Away", "contact_email": email, "postal_code": "75011"},
        REMOTE_ADDR=ip,
        headers=EN,
    )


def _case_from_failures(client, email: str, ip: str = ATTACKER_IP) -> SubstitutionCase:
    _refused_signups(client, email, ip)
    response = _help_request(client, email, ip)
    assert response.status_code == 302
    return SubstitutionCase.objects.get(contact_email=email)


def _book(client, case: SubstitutionCase, slot, ip: str = ATTACKER_IP):
    return client.post(
        reverse("substitution_public:case_book", args=[case.access_token]),
        {"slot": slot.pk},
        REMOTE_ADDR=ip,
        headers=EN,
    )


def _code_from_mail(capture, client, case, mailoutbox) -> str:
    with capture(execute=True):
        client.post(reverse("substitution_public:case_code_send", args=[case.access_token]))
    return re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)


def _verify(client, case, code: str):
    return client.post(
        reverse("substitution_public:case_code_verify", args=[case.access_token]),
        {"code": code},
        headers=EN,
    )


def _booked(case: SubstitutionCase) -> int:
    return Appointment.objects.filter(case=case, status=AppointmentStatus.BOOKED).count()


# --- The finding --------------------------------------------------------------------------------


def test_attack_signup_failures_case_booking_refused_until_email_verified(client, reference_data):
    slot = SlotFactory()
    case = _case_from_failures(client, "throwaway@mailinator.example")
    assert case.origin == CaseOrigin.AUTOMATIC_DETECTION
    _book(client, case, slot)
    assert _booked(case) == 0
    page = client.get(reverse("substitution_public:case", args=[case.access_token]), headers=EN)
    assert "Confirm your e-mail address" in page.text
    assert "Book this appointment" not in page.text


def test_attack_signup_failures_case_books_once_verified(
    client, reference_data, django_capture_on_commit_callbacks, mailoutbox
):
    first, second = SlotFactory(), SlotFactory()
    case = _case_from_failures(client, "real.person@example.org")
    code = _code_from_mail(django_capture_on_commit_callbacks, client, case, mailoutbox)
    assert mailoutbox[-1].to == ["real.person@example.org"]
    assert _verify(client, case, code).status_code == 302
    _book(client, case, first)
    _book(client, case, second)  # a second booking moves the first, it never adds one
    assert _booked(case) == 1
    assert Appointment.objects.get(case=case, status=AppointmentStatus.BOOKED).slot == second


def test_attack_second_case_same_address_refused(client, reference_data):
    _case_from_failures(client, "throwaway@mailinator.example")
    response = _help_request(client, "throwaway@mailinator.example", ip="198.51.100.9")
    assert response.status_code == 429
    assert "already open for this e-mail address" in response.text
    assert SubstitutionCase.objects.count() == 1


def test_attack_cases_from_one_network_limited(client, reference_data):
    for n in range(rules.CASES_PER_NETWORK):
        _case_from_failures(client, f"throwaway{n}@mailinator.example")
    email = "throwaway-next@mailinator.example"
    _refused_signups(client, email)
    response = _help_request(client, email)
    assert response.status_code == 429
    assert "Too many cases were opened from your connection" in response.text
    assert SubstitutionCase.objects.count() == rules.CASES_PER_NETWORK


def test_attack_ipv6_network_counted_as_one(client, reference_data):
    for n in range(rules.CASES_PER_NETWORK):
        _case_from_failures(client, f"v6-{n}@mailinator.example", ip=f"2001:db8:1:2::{n + 1}")
    email = "v6-next@mailinator.example"
    _refused_signups(client, email, ip="2001:db8:1:2:ffff::1")
    assert _help_request(client, email, ip="2001:db8:1:2:ffff::1").status_code == 429


def test_attack_bookings_from_one_network_limited(client, reference_data):
    """Cases whose address is confirmed (each a real inbox), all booked from one connection."""
    slots = [SlotFactory() for _ in range(rules.BOOKED_CASES_PER_NETWORK + 1)]
    cases = [
        CaseFactory(origin=CaseOrigin.AUTOMATIC_DETECTION, email_verified_at=timezone.now())
        for _ in slots
    ]
    for case, slot in zip(cases[:-1], slots[:-1], strict=True):
        _book(client, case, slot)
        assert _booked(case) == 1
    response = _book(client, cases[-1], slots[-1])
    assert _booked(cases[-1]) == 0
    page = client.get(response["Location"], headers=EN)
    assert "Too many appointments were booked from your connection" in page.text


def test_attack_second_case_same_verified_address_refused_by_database(
    client, reference_data, django_capture_on_commit_callbacks, mailoutbox
):
    """Two cases with one address (slipped past the help request, e.g. at the same moment):
    only one can be confirmed, so only one can book."""
    first, second = (
        CaseFactory(origin=CaseOrigin.AUTOMATIC_DETECTION, contact_email="twice@example.org")
        for _ in range(2)
    )
    _verify(
        client,
        first,
        _code_from_mail(django_capture_on_commit_callbacks, client, first, mailoutbox),
    )
    response = _verify(
        client,
        second,
        _code_from_mail(django_capture_on_commit_callbacks, client, second, mailoutbox),
    )
    assert response.status_code == 400
    assert "Another case is open for this e-mail address" in response.text
    second.refresh_from_db()
    assert second.email_verified_at is None


# --- The code ----------------------------------------------------------------------------------


def test_attack_code_brute_force_on_case_page_stops(
    client, reference_data, django_capture_on_commit_callbacks, mailoutbox
):
    case = _case_from_failures(client, "throwaway@mailinator.example")
    code = _code_from_mail(django_capture_on_commit_callbacks, client, case, mailoutbox)
    guesses = [f"{n:06d}" for n in range(one_time_codes.MAX_ATTEMPTS + 1) if f"{n:06d}" != code]
    for guess in guesses[: one_time_codes.MAX_ATTEMPTS]:
        assert _verify(client, case, guess).status_code == 400
    response = _verify(client, case, code)  # the right code comes too late
    assert response.status_code == 400
    assert "Ask for a new code" in response.text
    case.refresh_from_db()
    assert case.email_verified_at is None


def test_attack_code_of_one_case_replayed_on_another_refused(
    client, reference_data, django_capture_on_commit_callbacks, mailoutbox
):
    mine = CaseFactory(origin=CaseOrigin.AUTOMATIC_DETECTION, contact_email="me@example.org")
    target = CaseFactory(origin=CaseOrigin.AUTOMATIC_DETECTION, contact_email="you@example.org")
    code = _code_from_mail(django_capture_on_commit_callbacks, client, mine, mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("substitution_public:case_code_send", args=[target.access_token]))
    assert _verify(client, target, code).status_code == 400
    target.refresh_from_db()
    assert target.email_verified_at is None


def test_attack_code_replayed_after_use_refused(
    client, reference_data, django_capture_on_commit_callbacks, mailoutbox
):
    case = CaseFactory(origin=CaseOrigin.AUTOMATIC_DETECTION)
    code = _code_from_mail(django_capture_on_commit_callbacks, client, case, mailoutbox)
    assert _verify(client, case, code).status_code == 302
    case.refresh_from_db()
    verified_at = case.email_verified_at
    case.email_verified_at = None  # as if the case were reset: the used code opens nothing
    case.save(update_fields=["email_verified_at"])
    assert _verify(client, case, code).status_code == 400
    assert verified_at is not None


def test_attack_code_requests_limited_per_address(
    client, reference_data, django_capture_on_commit_callbacks, mailoutbox
):
    case = CaseFactory(origin=CaseOrigin.AUTOMATIC_DETECTION)
    for _ in range(one_time_codes.MAX_CODES_PER_HOUR + 2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("substitution_public:case_code_send", args=[case.access_token]))
    assert len(mailoutbox) == one_time_codes.MAX_CODES_PER_HOUR


# --- Staff-opened cases keep working -----------------------------------------------------------


def test_view_contact_centre_case_books_without_code(client, reference_data):
    case = CaseFactory(origin=CaseOrigin.CONTACT_CENTRE)
    _book(client, case, SlotFactory())
    assert _booked(case) == 1


def test_view_agent_books_unverified_case_for_the_person(client, reference_data):
    """The agent spoke to the person (e.g. on the phone): no code needed."""
    agent = PrefectureAgentFactory(prefecture=prefecture("75"))
    case = CaseFactory(origin=CaseOrigin.AUTOMATIC_DETECTION)
    client.force_login(agent)
    client.post(
        reverse("substitution_backoffice:case_book", args=[case.reference]),
        {"slot": SlotFactory().pk},
    )
    assert _booked(case) == 1


# --- Agents see and cancel suspicious bookings -------------------------------------------------


def _unverified_booking() -> Appointment:
    """What the finding left behind: a booking made through the private link, never confirmed."""
    case = CaseFactory(origin=CaseOrigin.AUTOMATIC_DETECTION, contact_email="ghost@example.org")
    return Appointment.objects.create(case=case, slot=SlotFactory())


def test_view_backoffice_suspicious_lists_unverified_booking(
    client, reference_data, django_assert_max_num_queries
):
    appointment = _unverified_booking()
    fine = Appointment.objects.create(case=CaseFactory(), slot=SlotFactory())
    client.force_login(PrefectureAgentFactory(prefecture=prefecture("75")))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("substitution_backoffice:suspicious"), headers=EN)
    assert response.status_code == 200
    assert appointment.case.reference in response.text
    assert fine.case.reference not in response.text
    assert "E-mail address never confirmed" in response.text


def test_view_backoffice_suspicious_lists_many_bookings_from_one_network(client, reference_data):
    network = "f" * 64
    appointments = [
        Appointment.objects.create(
            case=CaseFactory(), slot=SlotFactory(), booked_from_network=network
        )
        for _ in range(rules.BOOKED_CASES_PER_NETWORK)
    ]
    client.force_login(PrefectureAgentFactory(prefecture=prefecture("75")))
    response = client.get(reverse("substitution_backoffice:suspicious"), headers=EN)
    for appointment in appointments:
        assert appointment.case.reference in response.text
    assert "Same connection booked for 3 cases this week" in response.text


def test_view_backoffice_cancel_suspicious_frees_slot_tells_person_and_audits(
    client, reference_data, django_capture_on_commit_callbacks, mailoutbox
):
    appointment = _unverified_booking()
    agent = PrefectureAgentFactory(prefecture=prefecture("75"))
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("substitution_backoffice:appointment_cancel_suspicious", args=[appointment.pk]),
            {"note": "throwaway address"},
        )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert mailoutbox[-1].to == ["ghost@example.org"]
    entry = LogEntry.objects.get(
        object_pk=str(appointment.pk),
        additional_data__action="substitution_appointment_cancel_suspicious",
    )
    assert entry.actor == agent
    assert entry.additional_data["unverified"] is True
    assert entry.additional_data["note"] == "throwaway address"


def test_view_backoffice_cancel_suspicious_other_prefecture_hidden(client, reference_data):
    appointment = _unverified_booking()
    client.force_login(PrefectureAgentFactory(prefecture=prefecture("93")))
    response = client.post(
        reverse("substitution_backoffice:appointment_cancel_suspicious", args=[appointment.pk])
    )
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
