"""Retention of the documents of decided dossiers (issue 8, personal data; RGPD art. 5-1-e).

The rule (`applications.rules.document_retention_action`) is tested exhaustively around its
dates and by property; the service (`applications.retention`) end to end on real stored files:
warned once, deleted only after a warning, idempotent, tombstones shown instead of links.
"""

import datetime
import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from applications import services
from applications.enums import (
    ApplicationStatus,
    ErrorReportCategory,
    EventKind,
)
from applications.models import Application, Document, Event
from applications.retention import (
    retention_purge_due,
    retention_run,
    retention_warn_due,
)
from applications.rules import (
    RetentionAction,
    document_retention_action,
    retention_final_since,
    retention_purge_on,
)
from applications.tasks import documents_retention
from attestations.enums import AttestationKind
from attestations.services import attestations_sweep
from reference.models import DecisionReason
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.helpers import filed
from tests.concurrency import postgresql_only, run_at_once

RETENTION = 365
WARNING = 30
FINAL = date(2026, 1, 10)
PURGE_ON = FINAL + timedelta(days=RETENTION)  # 2027-01-10
WARN_FROM = PURGE_ON - timedelta(days=WARNING)  # 2026-12-11
EN = {"accept-language": "en"}


def action(today: date, warned_on: date | None = None, **kwargs) -> RetentionAction:
    kwargs.setdefault("final_since", FINAL)
    return document_retention_action(
        warned_on=warned_on,
        today=today,
        retention_days=RETENTION,
        warning_days=WARNING,
        **kwargs,
    )


# --- Rule: when the outcome is final -------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (ApplicationStatus.CLOSED_CARD_HANDED_OVER, date(2026, 3, 3)),
        (ApplicationStatus.UNFAVOURABLE, date(2026, 1, 1)),
        (ApplicationStatus.CLOSED, date(2026, 1, 1)),
        (ApplicationStatus.WITHDRAWN, date(2026, 2, 2)),
        (ApplicationStatus.DRAFT, None),
        (ApplicationStatus.SUBMITTED, None),
        (ApplicationStatus.CORRECTION_REQUESTED, None),
        (ApplicationStatus.COMPLETE, None),
        (ApplicationStatus.FAVOURABLE, None),
        (ApplicationStatus.CARD_AVAILABLE, None),
    ],
)
def test_rules_retention_final_since_by_status(status, expected):
    assert (
        retention_final_since(
            status=status,
            decided_on=date(2026, 1, 1),
            card_handed_over_on=date(2026, 3, 3),
            withdrawn_on=date(2026, 2, 2),
        )
        == expected
    )


def test_rules_retention_final_since_handover_not_recorded_is_not_final():
    assert (
        retention_final_since(
            status=ApplicationStatus.CLOSED_CARD_HANDED_OVER,
            decided_on=date(2026, 1, 1),
            card_handed_over_on=None,
            withdrawn_on=None,
        )
        is None
    )


def test_rules_retention_purge_on_counts_whole_days_from_the_final_day():
    assert retention_purge_on(date(2026, 1, 10), 365) == date(2027, 1, 10)
    assert retention_purge_on(date(2028, 2, 29), 1) == date(2028, 3, 1)


# --- Rule: keep, warn, purge around the dates ---------------------------------------------------


def test_rules_retention_not_final_kept_whatever_the_date():
    for today in (FINAL, WARN_FROM, PURGE_ON, PURGE_ON + timedelta(days=3650)):
        assert action(today, final_since=None, warned_on=WARN_FROM) == RetentionAction.KEEP


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (FINAL, RetentionAction.KEEP),
        (WARN_FROM - timedelta(days=1), RetentionAction.KEEP),
        (WARN_FROM, RetentionAction.WARN),
        (WARN_FROM + timedelta(days=1), RetentionAction.WARN),
        (PURGE_ON - timedelta(days=1), RetentionAction.WARN),
        (PURGE_ON, RetentionAction.WARN),
        (PURGE_ON + timedelta(days=1), RetentionAction.WARN),
    ],
)
def test_rules_retention_not_warned_never_purged(today, expected):
    assert action(today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (WARN_FROM, RetentionAction.KEEP),
        (PURGE_ON - timedelta(days=1), RetentionAction.KEEP),
        (PURGE_ON, RetentionAction.PURGE),
        (PURGE_ON + timedelta(days=1), RetentionAction.PURGE),
    ],
)
def test_rules_retention_warned_on_time_purged_from_the_end_of_the_period(today, expected):
    assert action(today, warned_on=WARN_FROM) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (PURGE_ON, RetentionAction.KEEP),
        (PURGE_ON + timedelta(days=9), RetentionAction.KEEP),
        (PURGE_ON + timedelta(days=10), RetentionAction.PURGE),
        (PURGE_ON + timedelta(days=11), RetentionAction.PURGE),
    ],
)
def test_rules_retention_warned_late_purge_postponed_by_the_warning_period(today, expected):
    # Warned 20 days before the end of the period instead of 30: deletion 10 days later.
    warned_on = PURGE_ON - timedelta(days=20)
    assert action(today, warned_on=warned_on) == expected


def test_rules_retention_warning_before_the_outcome_does_not_count():
    # Warned for an earlier decision, re-opened and decided again since: warn again.
    assert action(WARN_FROM, warned_on=FINAL - timedelta(days=1)) == RetentionAction.WARN
    assert action(PURGE_ON, warned_on=FINAL - timedelta(days=1)) == RetentionAction.WARN


def test_rules_retention_disputed_record_kept():
    assert action(PURGE_ON, warned_on=WARN_FROM, record_disputed=True) == RetentionAction.KEEP
    assert action(WARN_FROM, record_disputed=True) == RetentionAction.KEEP


@given(
    final_offset=st.integers(min_value=0, max_value=2000),
    warned_offset=st.one_of(st.none(), st.integers(min_value=-100, max_value=2000)),
    today_offset=st.integers(min_value=-10, max_value=3000),
    retention_days=st.integers(min_value=0, max_value=1000),
    warning_days=st.integers(min_value=0, max_value=200),
)
def test_rules_retention_purge_always_after_a_full_warning_period(
    final_offset, warned_offset, today_offset, retention_days, warning_days
):
    origin = date(2025, 1, 1)
    final_since = origin + timedelta(days=final_offset)
    warned_on = None if warned_offset is None else origin + timedelta(days=warned_offset)
    today = origin + timedelta(days=today_offset)
    result = document_retention_action(
        final_since=final_since,
        warned_on=warned_on,
        today=today,
        retention_days=retention_days,
        warning_days=warning_days,
    )
    if result == RetentionAction.PURGE:
        assert warned_on is not None and warned_on >= final_since
        assert today >= warned_on + timedelta(days=warning_days)
        assert today >= final_since + timedelta(days=retention_days)


# --- Service ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _policy(settings):
    settings.DOCUMENT_RETENTION_DAYS = RETENTION
    settings.DOCUMENT_RETENTION_WARNING_DAYS = WARNING


def _aware(day: date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def decided(
    status: str = ApplicationStatus.UNFAVOURABLE, final_on: date = FINAL, profile=None
) -> Application:
    """A dossier filed through the services (its documents really stored), then moved to
    `status` as if the outcome had been reached on `final_on`."""
    application = filed(profile or ApplicantProfileFactory(postal_code="75011"))
    fields: dict = {"status": status}
    if status in (ApplicationStatus.UNFAVOURABLE, ApplicationStatus.CLOSED):
        kind = "refusal" if status == ApplicationStatus.UNFAVOURABLE else "closure"
        fields.update(
            decided_at=_aware(final_on),
            decision_reason=DecisionReason.objects.filter(kind=kind).first(),
            decision_explanation="Explained.",
            decision_legal_basis="L. 432-1",
            decision_remedies="Two months.",
        )
    elif status == ApplicationStatus.CLOSED_CARD_HANDED_OVER:
        fields.update(
            decided_at=_aware(final_on - timedelta(days=60)), card_handed_over_on=final_on
        )
    elif status == ApplicationStatus.WITHDRAWN:
        fields["withdrawn_at"] = _aware(final_on)
    elif status in (ApplicationStatus.FAVOURABLE, ApplicationStatus.CARD_AVAILABLE):
        fields["decided_at"] = _aware(final_on)
    Application.objects.filter(pk=application.pk).update(**fields)
    application.refresh_from_db()
    return application


def stored_keys(application: Application) -> list[str]:
    return [document.file.name for document in application.documents.all()]


@pytest.mark.django_db
def test_services_retention_warn_due_sends_once(reference_data, django_capture_on_commit_callbacks):
    application = decided()
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_warn_due(WARN_FROM) == 1
        assert retention_warn_due(WARN_FROM) == 0
        assert retention_warn_due(WARN_FROM + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [application.applicant.email]
    assert application.reference in mail.outbox[0].body
    application.refresh_from_db()
    assert timezone.localdate(application.documents_retention_warned_at) == WARN_FROM
    event = Event.objects.get(application=application, kind=EventKind.DOCUMENTS_RETENTION_WARNING)
    assert event.params["purge_on"] == PURGE_ON.isoformat()


@pytest.mark.django_db
def test_services_retention_warn_due_not_before_the_warning_day(reference_data):
    decided()
    assert retention_warn_due(WARN_FROM - timedelta(days=1)) == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.COMPLETE,
        ApplicationStatus.FAVOURABLE,
        ApplicationStatus.CARD_AVAILABLE,
    ],
)
@pytest.mark.django_db
def test_services_retention_open_dossier_never_warned_nor_purged(reference_data, status):
    application = decided(status)
    late = PURGE_ON + timedelta(days=1000)
    report = retention_run(late)
    assert report.warned == 0 and report.purged_documents == 0
    assert all(default_storage.exists(key) for key in stored_keys(application))


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.CLOSED_CARD_HANDED_OVER,
        ApplicationStatus.UNFAVOURABLE,
        ApplicationStatus.CLOSED,
        ApplicationStatus.WITHDRAWN,
    ],
)
@pytest.mark.django_db
def test_services_retention_each_final_status_warned(reference_data, status):
    decided(status)
    assert retention_warn_due(WARN_FROM) == 1


@pytest.mark.django_db
def test_services_retention_open_error_report_keeps_the_documents(reference_data):
    application = decided()
    services.error_report_create(
        application=application,
        actor=application.applicant,
        category=ErrorReportCategory.OTHER,
        description="The refusal is based on a wrong record.",
    )
    assert retention_run(PURGE_ON + timedelta(days=100)).warned == 0


@pytest.mark.django_db
def test_services_retention_purge_due_never_without_warning(reference_data):
    application = decided()
    keys = stored_keys(application)
    assert retention_purge_due(PURGE_ON + timedelta(days=100)).applications == 0
    assert all(default_storage.exists(key) for key in keys)
    assert not Document.objects.filter(purged_at__isnull=False).exists()


@pytest.mark.django_db
def test_services_retention_purge_due_deletes_files_and_keeps_tombstones(reference_data):
    application = decided()
    documents = list(application.documents.order_by("pk"))
    keys = stored_keys(application)
    retention_warn_due(WARN_FROM)
    assert retention_purge_due(PURGE_ON - timedelta(days=1)).applications == 0

    result = retention_purge_due(PURGE_ON)

    assert (result.applications, result.documents) == (1, len(documents))
    assert keys and not any(default_storage.exists(key) for key in keys)
    for before, after in zip(documents, application.documents.order_by("pk"), strict=True):
        assert after.file.name == ""
        assert timezone.localdate(after.purged_at) == PURGE_ON
        assert (after.document_type_id, after.sha256, after.uploaded_at, after.original_name) == (
            before.document_type_id,
            before.sha256,
            before.uploaded_at,
            before.original_name,
        )
    assert Event.objects.filter(application=application, kind=EventKind.DOCUMENTS_PURGED).count()
    from auditlog.models import LogEntry

    entry = LogEntry.objects.filter(additional_data__action="documents_purged").get()
    assert entry.object_pk == str(application.pk)
    assert {item["sha256"] for item in entry.additional_data["documents"]} == {
        document.sha256 for document in documents
    }


@pytest.mark.django_db
def test_services_retention_warned_late_purge_waits_for_the_warning_period(reference_data):
    decided()
    late = PURGE_ON + timedelta(days=5)
    assert retention_warn_due(late) == 1
    # The person is told the real, postponed date.
    event = Event.objects.get(kind=EventKind.DOCUMENTS_RETENTION_WARNING)
    assert event.params["purge_on"] == (late + timedelta(days=WARNING)).isoformat()
    assert retention_purge_due(late + timedelta(days=WARNING - 1)).applications == 0
    assert retention_purge_due(late + timedelta(days=WARNING)).applications == 1


@pytest.mark.django_db
def test_services_retention_purge_due_twice_does_nothing_more(
    reference_data, django_capture_on_commit_callbacks
):
    application = decided()
    with django_capture_on_commit_callbacks(execute=True):
        retention_warn_due(WARN_FROM)
        retention_purge_due(PURGE_ON)
    events = Event.objects.filter(application=application).count()

    with django_capture_on_commit_callbacks(execute=True):
        again = retention_run(PURGE_ON + timedelta(days=1))

    assert (again.warned, again.purged_applications, again.purged_documents) == (0, 0, 0)
    assert Event.objects.filter(application=application).count() == events
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_services_retention_purge_due_file_already_missing(reference_data):
    application = decided()
    keys = stored_keys(application)
    default_storage.delete(keys[0])
    retention_warn_due(WARN_FROM)

    result = retention_purge_due(PURGE_ON)

    assert result.documents == len(keys)
    assert not application.documents.filter(purged_at__isnull=True).exists()


@pytest.mark.django_db
def test_services_retention_purge_keeps_attestations(reference_data):
    application = decided()
    attestations_sweep(today=timezone.localdate())
    receipt = application.attestations.get(kind=AttestationKind.DEPOSIT_RECEIPT)
    receipt.pdf.save("receipt.pdf", ContentFile(b"%PDF-1.7 receipt"))
    retention_warn_due(WARN_FROM)

    assert retention_purge_due(PURGE_ON).applications == 1

    receipt.refresh_from_db()
    assert receipt.pdf.name and default_storage.exists(receipt.pdf.name)


@pytest.mark.django_db
def test_command_purge_documents_dry_run_changes_nothing(reference_data):
    application = decided()
    keys = stored_keys(application)
    out = io.StringIO()

    call_command("purge_documents", "--dry-run", "--today", WARN_FROM.isoformat(), stdout=out)

    assert "warned: 1" in out.getvalue()
    application.refresh_from_db()
    assert application.documents_retention_warned_at is None
    assert mail.outbox == []
    assert not Event.objects.filter(kind=EventKind.DOCUMENTS_RETENTION_WARNING).exists()
    assert all(default_storage.exists(key) for key in keys)


@pytest.mark.django_db
def test_command_purge_documents_dry_run_counts_what_would_be_purged(reference_data):
    application = decided()
    keys = stored_keys(application)
    retention_warn_due(WARN_FROM)
    out = io.StringIO()

    call_command("purge_documents", "--dry-run", "--today", PURGE_ON.isoformat(), stdout=out)

    assert f"purged: {len(keys)} document(s) of 1 application(s)" in out.getvalue()
    assert all(default_storage.exists(key) for key in keys)
    assert not Document.objects.filter(purged_at__isnull=False).exists()


@pytest.mark.django_db
def test_command_purge_documents_warns_then_purges(reference_data):
    application = decided()
    keys = stored_keys(application)
    out = io.StringIO()
    call_command("purge_documents", "--today", WARN_FROM.isoformat(), stdout=out)
    call_command("purge_documents", "--today", PURGE_ON.isoformat(), stdout=out)
    assert "warned: 1 application(s); purged: 0 document(s)" in out.getvalue()
    assert f"warned: 0 application(s); purged: {len(keys)} document(s)" in out.getvalue()
    assert not any(default_storage.exists(key) for key in keys)


def test_command_purge_documents_bad_date_refused():
    with pytest.raises(CommandError):
        call_command("purge_documents", "--today", "10/01/2027")


def test_tasks_documents_retention_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["documents-retention"]
    assert entry["task"] == documents_retention.name
    assert entry["schedule"].hour == {3}


@pytest.mark.django_db
def test_tasks_documents_retention_runs_the_service_for_today(
    reference_data, settings, django_capture_on_commit_callbacks
):
    decided(final_on=timezone.localdate() - timedelta(days=RETENTION - WARNING))
    with django_capture_on_commit_callbacks(execute=True):
        documents_retention.delay()
    assert len(mail.outbox) == 1


# --- Display of a deleted document ---------------------------------------------------------------


@pytest.fixture
def purged(reference_data) -> Application:
    application = decided()
    retention_warn_due(WARN_FROM)
    retention_purge_due(PURGE_ON)
    return application


@pytest.mark.django_db
def test_views_document_download_purged_owner_gets_gone(client, purged):
    document = purged.documents.first()
    client.force_login(purged.applicant)

    response = client.get(reverse("document_download", args=[document.pk]), headers=EN)

    assert response.status_code == 410
    assert "deleted on Jan. 10, 2027 (retention period)" in response.text


@pytest.mark.django_db
def test_views_document_download_purged_agent_gets_gone(client, purged):
    agent = PrefectureAgentFactory(prefecture=purged.prefecture)
    client.force_login(agent)
    response = client.get(reverse("document_download", args=[purged.documents.first().pk]))
    assert response.status_code == 410


@pytest.mark.django_db
def test_views_portal_detail_purged_documents_shown_without_link(client, purged):
    client.force_login(purged.applicant)

    response = client.get(reverse("portal:application_detail", args=[purged.reference]), headers=EN)

    assert response.status_code == 200
    for document in purged.documents.all():
        assert reverse("document_download", kwargs={"pk": document.pk}) not in response.text
    assert "deleted on Jan. 10, 2027 (retention period)" in response.text
    assert "The retention period is over" in response.text


@pytest.mark.django_db
def test_views_backoffice_detail_purged_documents_shown_without_link(client, purged):
    client.force_login(PrefectureAgentFactory(prefecture=purged.prefecture))

    response = client.get(
        reverse("backoffice:application_detail", args=[purged.reference]), headers=EN
    )

    assert response.status_code == 200
    for document in purged.documents.all():
        assert reverse("document_download", args=[document.pk]) not in response.text
    assert "deleted on Jan. 10, 2027 (retention period)" in response.text


@pytest.mark.django_db
def test_views_portal_detail_warning_in_the_timeline(client, reference_data):
    application = decided()
    retention_warn_due(WARN_FROM)
    client.force_login(application.applicant)
    response = client.get(
        reverse("portal:application_detail", args=[application.reference]), headers=EN
    )
    assert "will be deleted on Jan. 10, 2027" in response.text


@pytest.mark.django_db
def test_api_document_file_purged_not_found_with_the_date(purged):
    client = APIClient()
    client.force_authenticate(purged.applicant)

    response = client.get(
        reverse("api:document-file", kwargs={"pk": purged.documents.first().pk}),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 404
    assert "deleted on Jan. 10, 2027 (retention period)" in response.json()["message"]


@pytest.mark.django_db
def test_services_retention_warning_email_says_when_and_where_in_both_languages(
    reference_data, django_capture_on_commit_callbacks
):
    application = decided()
    with django_capture_on_commit_callbacks(execute=True):
        retention_warn_due(WARN_FROM)
    message = mail.outbox[0]
    url = reverse("portal:application_detail", args=[application.reference])
    assert message.body.count(url) == 2  # French, then English
    assert "Jan. 10, 2027" in message.body
    assert "10 janvier 2027" in message.body
    assert not message.attachments


# --- Two runs at once (PostgreSQL: SQLite ignores row locks) -----------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrency_retention_two_runs_warn_and_purge_once(reference_data):
    application = decided()
    keys = stored_keys(application)
    mail.outbox.clear()  # the deposit receipt's e-mail, sent on commit of the filing

    assert run_at_once(lambda _: retention_warn_due(WARN_FROM), [1, 2]) == []
    assert run_at_once(lambda _: retention_purge_due(PURGE_ON), [1, 2]) == []

    assert len(mail.outbox) == 1
    kinds = list(
        Event.objects.filter(
            application=application,
            kind__in=[EventKind.DOCUMENTS_RETENTION_WARNING, EventKind.DOCUMENTS_PURGED],
        ).values_list("kind", flat=True)
    )
    assert sorted(kinds) == sorted(
        [EventKind.DOCUMENTS_RETENTION_WARNING, EventKind.DOCUMENTS_PURGED]
    )
    assert not any(default_storage.exists(key) for key in keys)
