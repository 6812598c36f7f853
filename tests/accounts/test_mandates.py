"""Mandates: durations, consent, revocation, audit and expiry warnings (accounts.mandates)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.utils import timezone

from accounts.enums import ConsentMethod, MandateDuration, MandateStatus, Role
from accounts.mandates import (
    mandate_active_for,
    mandate_confirm,
    mandate_end,
    mandate_expiry_warnings_send,
    mandate_grant,
    mandate_person_create,
    mandate_record_signed,
    mandate_request,
    mandate_revoke,
)
from accounts.models import Mandate, User
from accounts.tasks import mandate_expiry_warnings
from anef.errors import DomainError
from tests.accounts.factories import ApplicantFactory, HelperFactory, MandateFactory
from tests.applications.factories import ground, pdf_upload

pytestmark = pytest.mark.django_db


def _audit(mandate: Mandate) -> list[str]:
    return [
        entry.additional_data["action"]
        for entry in LogEntry.objects.get_for_object(mandate).order_by("pk")
    ]


# --- Durations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_on", "duration", "ends_on"),
    [
        (date(2026, 3, 10), MandateDuration.ONE_DAY, date(2026, 3, 10)),
        (date(2026, 3, 10), MandateDuration.ONE_MONTH, date(2026, 4, 9)),
        (date(2026, 1, 31), MandateDuration.ONE_MONTH, date(2026, 2, 27)),
        (date(2026, 8, 1), MandateDuration.SIX_MONTHS, date(2027, 1, 31)),
        (date(2028, 2, 29), MandateDuration.ONE_YEAR, date(2029, 2, 27)),
        (date(2026, 12, 15), MandateDuration.ONE_YEAR, date(2027, 12, 14)),
    ],
)
def test_rules_mandate_end(starts_on, duration, ends_on):
    assert mandate_end(starts_on, duration) == ends_on


def test_rules_mandate_end_unknown_duration():
    with pytest.raises(DomainError):
        mandate_end(date(2026, 3, 10), "2y")


# --- Giving a mandate ---------------------------------------------------------------------------


def test_services_mandate_grant_person_in_force_at_once():
    person, helper = ApplicantFactory(), HelperFactory()
    mandate = mandate_grant(
        person=person,
        helper_email=helper.email.upper(),
        duration=MandateDuration.ONE_MONTH,
        starts_on=timezone.localdate(),
    )
    assert mandate.status_on(timezone.localdate()) == MandateStatus.ACTIVE
    assert mandate.consent_method == ConsentMethod.ACCOUNT
    assert mandate.all_grounds
    assert mandate_active_for(helper, person.pk) == mandate
    assert _audit(mandate) == ["mandate_grant", "mandate_first_used"]


def test_services_mandate_grant_to_a_non_helper_refused():
    person = ApplicantFactory()
    with pytest.raises(DomainError) as error:
        mandate_grant(
            person=person,
            helper_email=ApplicantFactory().email,
            duration=MandateDuration.ONE_DAY,
            starts_on=timezone.localdate(),
        )
    assert error.value.code == "helper_unknown"
    assert not Mandate.objects.exists()


def test_services_mandate_grant_in_the_past_refused():
    with pytest.raises(DomainError) as error:
        mandate_grant(
            person=ApplicantFactory(),
            helper_email=HelperFactory().email,
            duration=MandateDuration.ONE_DAY,
            starts_on=timezone.localdate() - timedelta(days=1),
        )
    assert error.value.code == "starts_on"


def test_services_mandate_grant_some_grounds(reference_data):
    person, helper = ApplicantFactory(), HelperFactory()
    mandate = mandate_grant(
        person=person,
        helper_email=helper.email,
        duration=MandateDuration.SIX_MONTHS,
        starts_on=timezone.localdate(),
        grounds=[ground("student")],
    )
    assert not mandate.all_grounds
    assert list(mandate.grounds.values_list("code", flat=True)) == ["student"]


def test_services_mandate_request_waits_for_the_person_then_confirm():
    person, helper = ApplicantFactory(), HelperFactory()
    mandate = mandate_request(
        helper=helper,
        person_email=person.email,
        duration=MandateDuration.ONE_MONTH,
        starts_on=timezone.localdate(),
        organisation_name="PAN Paris",
        organisation_email="pan@prefecture.example",
    )
    assert mandate.status_on(timezone.localdate()) == MandateStatus.AWAITING_CONSENT
    assert mandate_active_for(helper, person.pk) is None
    mandate_confirm(mandate=mandate, person=person)
    assert mandate_active_for(helper, person.pk) == mandate
    assert _audit(mandate) == ["mandate_request", "mandate_confirm", "mandate_first_used"]


def test_services_mandate_confirm_by_someone_else_refused():
    mandate = MandateFactory(consented_at=None)
    with pytest.raises(DomainError) as error:
        mandate_confirm(mandate=mandate, person=ApplicantFactory())
    assert error.value.code == "not_yours"


def test_services_mandate_record_signed_creates_the_person_account_pending():
    helper = HelperFactory()
    person = mandate_person_create(
        helper=helper, email="detenu@anef.example", first_name="Moussa", last_name="Keita"
    )
    assert person.role == Role.APPLICANT
    assert not person.has_usable_password()
    mandate = mandate_record_signed(
        helper=helper,
        person=person,
        duration=MandateDuration.ONE_YEAR,
        starts_on=timezone.localdate(),
        organisation_name="Centre pénitentiaire",
        organisation_email="spip@justice.example",
        consent_file=pdf_upload("mandat-signe.pdf"),
    )
    assert mandate.consent_method == ConsentMethod.SIGNED_FORM
    assert mandate.consent_content_type == "application/pdf"
    with mandate.consent_file.open("rb") as scan:
        assert scan.read().startswith(b"%PDF")
    # The scan is the helper's word: not in force until proven (issue 15).
    assert mandate.status_on(timezone.localdate()) == MandateStatus.AWAITING_CONSENT
    assert mandate_active_for(helper, person.pk) is None
    entry = LogEntry.objects.get_for_object(person).get(
        additional_data__action="account_create_for_person"
    )
    assert entry.actor == helper


def test_services_mandate_person_create_reuses_an_existing_person():
    person = ApplicantFactory()
    assert (
        mandate_person_create(
            helper=HelperFactory(), email=person.email, first_name="", last_name=""
        )
        == person
    )
    assert User.objects.filter(email=person.email).count() == 1


def test_services_mandate_record_signed_file_sniffed_from_bytes():
    helper, person = HelperFactory(), ApplicantFactory()
    with pytest.raises(DomainError) as error:
        mandate_record_signed(
            helper=helper,
            person=person,
            duration=MandateDuration.ONE_YEAR,
            starts_on=timezone.localdate(),
            organisation_name="Hôpital",
            organisation_email="social@hopital.example",
            consent_file=pdf_upload("mandat.pdf", content=b"MZ not a pdf at all"),
        )
    assert error.value.code == "consent_file"
    assert not Mandate.objects.exists()


# --- Revocation ---------------------------------------------------------------------------------


def test_services_mandate_revoke_person_ends_it_at_once():
    mandate = MandateFactory()
    assert mandate_active_for(mandate.helper, mandate.person_id) is not None
    revoked = mandate_revoke(mandate=mandate, person=mandate.person)
    assert revoked.revoked_by == mandate.person
    assert revoked.status_on(timezone.localdate()) == MandateStatus.REVOKED
    assert mandate_active_for(mandate.helper, mandate.person_id) is None
    assert _audit(mandate) == ["mandate_first_used", "mandate_revoke"]


def test_services_mandate_revoke_by_the_helper_refused():
    mandate = MandateFactory()
    with pytest.raises(DomainError) as error:
        mandate_revoke(mandate=mandate, person=mandate.helper)
    assert error.value.code == "not_yours"


def test_services_mandate_revoke_twice_refused():
    mandate = MandateFactory()
    mandate_revoke(mandate=mandate, person=mandate.person)
    with pytest.raises(DomainError) as error:
        mandate_revoke(mandate=mandate, person=mandate.person)
    assert error.value.code == "already_revoked"


# --- Status from the dates (boundaries) ---------------------------------------------------------


def test_models_mandate_status_boundaries():
    mandate = MandateFactory.build(
        starts_on=date(2026, 3, 10),
        ends_on=date(2026, 4, 9),
        consented_at=timezone.now(),
    )
    assert mandate.status_on(date(2026, 3, 9)) == MandateStatus.SCHEDULED
    assert mandate.status_on(date(2026, 3, 10)) == MandateStatus.ACTIVE
    assert mandate.status_on(date(2026, 4, 9)) == MandateStatus.ACTIVE
    assert mandate.status_on(date(2026, 4, 10)) == MandateStatus.EXPIRED


def test_selectors_mandate_active_one_day_mandate_ends_at_midnight():
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        mandate = MandateFactory(duration=MandateDuration.ONE_DAY)
        assert mandate.ends_on == date(2026, 3, 10)
        assert mandate_active_for(mandate.helper, mandate.person_id) == mandate
    with time_machine.travel(datetime(2026, 3, 10, 22, 30, tzinfo=UTC), tick=False):
        # 23:30 in Paris: still the 10th.
        assert mandate_active_for(mandate.helper, mandate.person_id) == mandate
    with time_machine.travel(datetime(2026, 3, 10, 23, 30, tzinfo=UTC), tick=False):
        # 00:30 on the 11th in Paris: ended.
        assert mandate_active_for(mandate.helper, mandate.person_id) is None


def test_selectors_mandate_active_scheduled_starts_on_its_day():
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        mandate = MandateFactory(starts_on=date(2026, 3, 12))
        assert mandate_active_for(mandate.helper, mandate.person_id) is None
    with time_machine.travel(datetime(2026, 3, 12, 9, 0, tzinfo=UTC), tick=False):
        assert mandate_active_for(mandate.helper, mandate.person_id) == mandate


# --- Expiry warnings ----------------------------------------------------------------------------


def test_tasks_mandate_expiry_warning_sent_once(settings, django_capture_on_commit_callbacks):
    settings.MANDATE_EXPIRY_WARNING_DAYS = 7
    with time_machine.travel(datetime(2026, 3, 1, 8, 0, tzinfo=UTC), tick=False):
        mandate = MandateFactory(organisation_email="asso@accueil.example")  # ends 31 March
    with time_machine.travel(datetime(2026, 3, 23, 8, 0, tzinfo=UTC), tick=False):
        assert mandate_expiry_warnings() == 0  # 8 days before the end: not yet
    with (
        time_machine.travel(datetime(2026, 3, 24, 8, 0, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert mandate_expiry_warnings() == 1
        assert mandate_expiry_warnings() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["asso@accueil.example"]
    assert "31" in message.body and mandate.person.last_name in message.body
    mandate.refresh_from_db()
    assert mandate.expiry_warned_at is not None
    assert "mandate_expiry_warned" in _audit(mandate)


def test_tasks_mandate_expiry_warning_without_organisation_goes_to_the_helper(
    django_capture_on_commit_callbacks,
):
    mandate = MandateFactory(duration=MandateDuration.ONE_DAY, organisation_email="")
    with django_capture_on_commit_callbacks(execute=True):
        assert mandate_expiry_warnings_send() == 1
    assert mail.outbox[0].to == [mandate.helper.email]


def test_tasks_mandate_expiry_warning_not_for_revoked_or_pending():
    revoked = MandateFactory(duration=MandateDuration.ONE_DAY)
    mandate_revoke(mandate=revoked, person=revoked.person)
    MandateFactory(duration=MandateDuration.ONE_DAY, consented_at=None)
    assert mandate_expiry_warnings_send() == 0
    assert mail.outbox == []


def test_settings_mandate_expiry_warning_in_beat_schedule(settings):
    from anef.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accounts.mandate_expiry_warnings" in tasks
    app.loader.import_default_modules()
    assert "accounts.mandate_expiry_warnings" in app.tasks
