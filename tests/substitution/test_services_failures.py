"""Failures of essential steps and the automatic offer (issue 6), with a frozen clock."""

import datetime

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse

from accounts.forms import SignupForm
from anef.errors import DomainError
from substitution import selectors, services
from substitution.enums import CaseOrigin, FailureStep
from substitution.models import FailureRecord, SubstitutionCase
from tests.accounts.factories import ApplicantProfileFactory
from tests.substitution.factories import DeskFactory, SlotFactory, prefecture

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def test_service_failure_record_by_hashed_email_only(reference_data):
    record = services.failure_record(
        step=FailureStep.SIGNUP, email=" Someone@Example.org ", code="signup_refused"
    )
    assert record.user is None
    assert "someone" not in record.email_hash
    assert record.email_hash == selectors.email_fingerprint("someone@example.org")
    assert len(record.email_hash) == 64


def test_service_failure_record_without_key_records_nothing(reference_data):
    assert services.failure_record(step=FailureStep.LOGIN, email="") is None
    assert not FailureRecord.objects.exists()


def test_service_failure_record_not_failed_records_nothing(reference_data):
    user = ApplicantProfileFactory().user
    assert services.failure_record(step=FailureStep.UPLOAD, user=user, failed=False) is None
    assert not FailureRecord.objects.exists()


def test_selector_offer_due_threshold_in_window_frozen_clock(reference_data):
    user = ApplicantProfileFactory().user
    with time_machine.travel(START, tick=False):
        services.failure_record(step=FailureStep.UPLOAD, user=user)
    with time_machine.travel(START + datetime.timedelta(days=3), tick=False):
        services.failure_record(step=FailureStep.SUBMISSION, user=user)
        assert not selectors.failure_offer_due(user=user)
    with time_machine.travel(START + datetime.timedelta(days=6, hours=23), tick=False):
        services.failure_record(step=FailureStep.UPLOAD, user=user)
        assert selectors.failure_offer_due(user=user)
    # Exactly 7 days after the first failure, it has left the window.
    with time_machine.travel(START + datetime.timedelta(days=7), tick=False):
        assert not selectors.failure_offer_due(user=user)


def test_selector_offer_due_threshold_setting(reference_data, settings):
    settings.SUBSTITUTION_OFFER_THRESHOLD = 1
    user = ApplicantProfileFactory().user
    assert not selectors.failure_offer_due(user=user)
    services.failure_record(step=FailureStep.UPLOAD, user=user)
    assert selectors.failure_offer_due(user=user)


def test_selector_offer_due_counts_login_failures_of_the_account_email(reference_data):
    """Login failures (by e-mail hash) and portal failures (by account) add up."""
    user = ApplicantProfileFactory().user
    for _ in range(2):
        services.failure_record(step=FailureStep.LOGIN, email=user.email)
    services.failure_record(step=FailureStep.UPLOAD, user=user)
    assert not selectors.failure_offer_due(user=user)
    assert selectors.failure_offer_due(user=user, email=user.email)


def test_signal_login_failed_recorded_without_password(reference_data):
    request = RequestFactory().post("/accounts/login/")
    authenticate(request, email="nobody@example.org", password="s3cret-password")
    record = FailureRecord.objects.get()
    assert record.step == FailureStep.LOGIN
    assert record.email_hash == selectors.email_fingerprint("nobody@example.org")
    assert "s3cret" not in str(record.__dict__)


def test_view_login_failures_offer_substitution_on_the_login_page(client, reference_data):
    for _ in range(3):
        response = client.post(
            reverse("account_login"),
            {"login": "blocked@example.org", "password": "wrong-password"},
            headers={"accept-language": "en"},
        )
    assert reverse("substitution_public:help_request") in response.text
    assert FailureRecord.objects.filter(step=FailureStep.LOGIN).count() == 3


def test_view_signup_refusals_offer_substitution(client, reference_data):
    for _ in range(3):
        response = client.post(
            reverse("account_signup"),
            {"email": "newcomer@example.org", "password1": "x", "password2": "y"},
            headers={"accept-language": "en"},
        )
    assert response.status_code == 200
    assert reverse("substitution_public:help_request") in response.text
    assert FailureRecord.objects.filter(step=FailureStep.SIGNUP).count() == 3


def test_view_help_request_opens_case_when_due(client, reference_data):
    SlotFactory(desk=DeskFactory(prefecture=prefecture("93")))
    for _ in range(3):
        services.failure_record(step=FailureStep.LOGIN, email="blocked@example.org")
    response = client.post(
        reverse("substitution_public:help_request"),
        {
            "contact_name": "Karim B.",
            "contact_email": "Blocked@example.org",
            "contact_phone": "",
            "postal_code": "93200",
        },
    )
    case = SubstitutionCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "substitution_public:case", kwargs={"token": case.access_token}
    )
    assert case.origin == CaseOrigin.AUTOMATIC_DETECTION
    assert case.prefecture == prefecture("93")
    assert case.person is None


def test_view_help_request_not_due_opens_nothing(client, reference_data):
    response = client.post(
        reverse("substitution_public:help_request"),
        {"contact_name": "X", "contact_email": "x@example.org", "postal_code": "75011"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "We found no repeated failed attempts" in response.text
    assert not SubstitutionCase.objects.exists()


def test_service_offer_accept_not_due_refused(reference_data):
    user = ApplicantProfileFactory().user
    with pytest.raises(DomainError) as error:
        services.offer_accept(person=user, slot=SlotFactory())
    assert error.value.code == "offer_not_due"


def test_signal_signup_refused_recorded_through_the_accounts_hook(reference_data):
    """`SubstitutionConfig.ready` connects to `accounts.signals.signup_form_checked`: the form
    of the lower app records the refusal without importing substitution."""
    form = SignupForm(data={"email": "newcomer@example.org", "password1": "x", "password2": "y"})
    assert not form.is_valid()
    record = FailureRecord.objects.get()
    assert (record.step, record.code) == (FailureStep.SIGNUP, "signup_refused")
    assert record.email_hash == selectors.email_fingerprint("newcomer@example.org")


def test_service_offer_accept_case_opened_without_an_english_summary(reference_data, settings):
    """The back office showed « Repeated failures of an essential step on the portal. » on a
    French page (walked 2026-12-04): the case's origin already says it, in the reader's
    language."""
    settings.SUBSTITUTION_OFFER_THRESHOLD = 1
    user = ApplicantProfileFactory().user
    services.failure_record(step=FailureStep.UPLOAD, user=user)
    appointment = services.offer_accept(person=user, slot=SlotFactory())
    assert appointment.case.origin == CaseOrigin.AUTOMATIC_DETECTION
    assert appointment.case.summary == ""
