"""The outage log (issue 16): declared by an operator in the admin or recorded by the health
checks; a renewal filed within the grace after an outage that covered the last day of its filing
window gets its API; recording or closing an outage marks the renewals it may excuse."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from anef import tasks
from anef.enums import OutageSource
from anef.health import CheckResult
from anef.models import Outage
from anef.outages import outage_record_check, outage_save
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.services.outages import applications_mark_for_outage
from attestations.selectors import dossier_facts, dossier_facts_list
from attestations.services import attestations_sweep
from reference.enums import ProcedureKind
from reference.models import Ground
from tests.accounts.factories import AdministratorFactory, ApplicantProfileFactory
from tests.applications.factories import ApplicationFactory, ResidencePermitFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# The window's last day is Thursday 30 April 2026 (60 days before the card ends on 29 June);
# Friday 1 May is a holiday: the 3rd working day after the 30th is Wednesday 6 May.
WINDOW_END = datetime.date(2026, 4, 30)
EXPIRY = datetime.date(2026, 6, 29)
API_DUE = datetime.date(2026, 6, 20)  # a day the first API is due (15 days ahead of 30 June)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


def outage_on_the_window_end(**fields) -> Outage:
    return Outage.objects.create(
        started_at=at(WINDOW_END, 9), ended_at=at(WINDOW_END, 18), **fields
    )


def renewal_filed_on(day: datetime.date) -> Application:
    """A complete renewal of a card ending on EXPIRY, filed on `day`, complete two days later."""
    holder = ApplicantProfileFactory(postal_code="75011").user
    permit = ResidencePermitFactory(
        holder=holder, valid_from=datetime.date(2025, 6, 30), valid_until=EXPIRY
    )
    return ApplicationFactory(
        applicant=holder,
        ground=Ground.objects.get(code="salaried_worker"),
        kind=ProcedureKind.RENEWAL,
        renews_permit=permit,
        status=ApplicationStatus.COMPLETE,
        filed_at=at(day),
        completed_at=at(day + datetime.timedelta(days=2)),
        first_completed_at=at(day + datetime.timedelta(days=2)),
    )


def has_api(application: Application) -> bool:
    return application.attestations.filter(kind="api").exists()


# --- The sweep honours the grace -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("filed_on", "gets_api"),
    [(datetime.date(2026, 5, 6), True), (datetime.date(2026, 5, 7), False)],
)
def test_outage_renewal_filed_within_the_grace_gets_its_api(reference_data, filed_on, gets_api):
    outage_on_the_window_end()
    application = renewal_filed_on(filed_on)
    attestations_sweep(today=API_DUE)
    assert has_api(application) is gets_api


def test_outage_not_covering_the_window_end_gives_no_api(reference_data):
    Outage.objects.create(started_at=at(WINDOW_END, 19), ended_at=at(datetime.date(2026, 5, 2)))
    Outage.objects.filter().update(started_at=at(datetime.date(2026, 5, 1), 0))
    application = renewal_filed_on(datetime.date(2026, 5, 4))
    attestations_sweep(today=API_DUE)
    assert not has_api(application)


def test_outage_declared_after_the_filing_marks_the_renewal_and_the_sweep_issues_its_api(
    reference_data, django_capture_on_commit_callbacks
):
    application = renewal_filed_on(datetime.date(2026, 5, 5))
    attestations_sweep(today=API_DUE)
    assert not has_api(application)
    with django_capture_on_commit_callbacks(execute=True):
        outage_save(
            outage=Outage(started_at=at(WINDOW_END, 9), ended_at=at(WINDOW_END, 12)),
            actor=AdministratorFactory(),
        )
    # The dossier is marked and swept at once (the attestations' subscriber of dossier_changed).
    assert has_api(application)


def test_outage_marks_for_the_sweep_the_renewals_it_may_excuse(reference_data):
    application = renewal_filed_on(datetime.date(2026, 5, 5))
    unrelated = renewal_filed_on(datetime.date(2026, 4, 20))  # filed before the outage
    Application.objects.update(attestations_dirty=False)
    assert applications_mark_for_outage(first_day=WINDOW_END, last_day=WINDOW_END) == 1
    application.refresh_from_db()
    unrelated.refresh_from_db()
    assert (application.attestations_dirty, unrelated.attestations_dirty) == (True, False)


def test_outage_declared_leaves_unrelated_renewals_unmarked(
    reference_data, django_capture_on_commit_callbacks
):
    application = renewal_filed_on(datetime.date(2026, 5, 5))
    attestations_sweep(today=API_DUE)
    with django_capture_on_commit_callbacks(execute=True):
        outage_save(
            outage=Outage(
                started_at=at(datetime.date(2026, 9, 1)), ended_at=at(datetime.date(2026, 9, 2))
            ),
            actor=AdministratorFactory(),
        )
    application.refresh_from_db()
    assert not application.attestations_dirty


# --- The facts carry the outages, read once ------------------------------------------------------


def test_outage_facts_of_a_late_renewal_carry_the_outage_of_its_window_end(reference_data):
    outage_on_the_window_end()
    facts = dossier_facts(renewal_filed_on(datetime.date(2026, 5, 6)))
    assert [(o.first_day, o.last_day) for o in facts.outages] == [(WINDOW_END, WINDOW_END)]


def test_outage_facts_of_a_renewal_in_time_read_no_outage(
    reference_data, django_assert_num_queries
):
    outage_on_the_window_end()
    application = renewal_filed_on(datetime.date(2026, 4, 20))
    application = Application.objects.select_related(
        "renews_permit__ground", "ground", "applicant__applicant_profile"
    ).get(pk=application.pk)
    with django_assert_num_queries(0):
        facts = dossier_facts(application)
    assert facts.outages == ()


def test_outage_facts_of_many_late_renewals_read_the_log_once(
    reference_data, django_assert_num_queries
):
    outage_on_the_window_end()
    for day in (5, 6, 7):
        renewal_filed_on(datetime.date(2026, 5, day))
    applications = list(
        Application.objects.select_related(
            "renews_permit__ground", "ground", "applicant__applicant_profile"
        )
    )
    with django_assert_num_queries(1):
        facts = dossier_facts_list(applications)
    assert all(len(item.outages) == 1 for item in facts)


# --- Recorded by the health checks ---------------------------------------------------------------


def test_outage_health_check_failure_opens_one_outage(db):
    assert outage_record_check(healthy=False, detail="storage: OSError") == "opened"
    assert outage_record_check(healthy=False, detail="storage: OSError") == ""
    outage = Outage.objects.get()
    assert (outage.source, outage.ended_at) == (OutageSource.HEALTH_CHECK, None)


def test_outage_health_check_success_closes_the_open_outage(db):
    start = timezone.now() - datetime.timedelta(minutes=5)
    outage_record_check(healthy=False, now=start)
    assert outage_record_check(healthy=True) == "closed"
    assert Outage.objects.get().ended_at > start
    assert outage_record_check(healthy=True) == ""


def test_outage_health_check_leaves_an_operator_outage_alone(db):
    Outage.objects.create(started_at=timezone.now(), source=OutageSource.OPERATOR)
    assert outage_record_check(healthy=True) == ""
    assert Outage.objects.get().ended_at is None


def test_outage_watch_task_records_the_storage_check(db, monkeypatch):
    monkeypatch.setattr("anef.health.check_storage", lambda: CheckResult(False, "OSError"))
    assert tasks.outages_watch() == "opened"
    assert "storage: OSError" in Outage.objects.get().note


def test_outage_watch_is_in_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["outages-watch"]["task"] == "anef.outages_watch"


# --- Declared by an operator in the admin --------------------------------------------------------


def test_outage_admin_operator_declares_an_ongoing_outage(client, db):
    administrator = AdministratorFactory()
    client.force_login(administrator)
    response = client.post(
        reverse("admin:anef_outage_add"),
        {
            "started_at_0": "2026-04-30",
            "started_at_1": "09:00:00",
            "ended_at_0": "",
            "ended_at_1": "",
            "note": "Uploads failed for everyone.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    outage = Outage.objects.get()
    assert (outage.source, outage.recorded_by, outage.ended_at) == (
        OutageSource.OPERATOR,
        administrator,
        None,
    )
    entry = LogEntry.objects.get_for_object(outage).get()
    assert entry.additional_data["action"] == "outage_declared"


def test_outage_admin_refuses_an_end_before_the_start(client, db):
    client.force_login(AdministratorFactory())
    client.post(
        reverse("admin:anef_outage_add"),
        {
            "started_at_0": "2026-04-30",
            "started_at_1": "09:00:00",
            "ended_at_0": "2026-04-29",
            "ended_at_1": "09:00:00",
        },
    )
    assert not Outage.objects.exists()
