"""Exports of the agent's queue (issue 20): the rows the agent sees with their filters, as CSV
or XLSX, built by an idempotent task, for the agent alone, logged as an access to personal data,
deleted after 24 hours."""

import csv
import datetime
import io

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anef.errors import DomainError
from applications.enums import ApplicationStatus
from applications.exports.cells import cell_text, cell_value, neutralised
from applications.exports.models import ExportStatus, QueueExport
from applications.exports.services import (
    queue_export_build,
    queue_export_request,
    queue_exports_purge,
)
from applications.selectors import QueueFilters
from reference.models import Prefecture
from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    PrefectureAgentFactory,
)
from tests.applications.factories import ApplicationFactory

EN = {"accept-language": "en"}
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


def _filed(prefecture, *, last_name="Martin", status=ApplicationStatus.SUBMITTED, days_ago=1):
    profile = ApplicantProfileFactory(postal_code="75011")
    profile.user.last_name = last_name
    profile.user.save(update_fields=["last_name"])
    return ApplicationFactory(
        applicant=profile.user,
        prefecture=prefecture,
        status=status,
        filed_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def _built(agent, file_format="xlsx", filters=None, language="en") -> QueueExport:
    export = queue_export_request(
        agent=agent, filters=filters or QueueFilters(), file_format=file_format, language=language
    )
    return queue_export_build(export.pk)


def _xlsx_rows(export) -> list[list]:
    with export.file.open("rb") as stored:
        workbook = openpyxl.load_workbook(io.BytesIO(stored.read()))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def _csv_rows(export) -> list[list[str]]:
    with export.file.open("rb") as stored:
        text = stored.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


# --- Cells ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_exports_neutralised_formula_start_gets_apostrophe(start):
    assert neutralised(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_exports_cell_text_formula_start_gets_apostrophe(start):
    assert cell_text(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_exports_cell_value_formula_start_gets_apostrophe(start):
    assert cell_value(f"{start}1+1") == f"'{start}1+1"


def test_exports_neutralised_plain_text_unchanged():
    assert neutralised("Dupont-Martin = 1") == "Dupont-Martin = 1"


def test_exports_cell_value_date_kept_as_date():
    assert cell_value(datetime.date(2026, 3, 1)) == datetime.date(2026, 3, 1)


# --- Building -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_exports_xlsx_read_back_has_the_queue_rows_in_queue_order(agent, paris):
    older = _filed(paris, last_name="Older", days_ago=5)
    newer = _filed(paris, last_name="Newer", days_ago=1)
    _filed(Prefecture.objects.get(departement_code="69"), last_name="Lyon")
    ApplicationFactory(prefecture=paris)  # a draft never reaches the queue
    export = _built(agent, filters=QueueFilters(order="filed"))
    rows = _xlsx_rows(export)
    assert rows[0][:3] == ["Reference", "Ground", "Procedure"]
    assert [row[0] for row in rows[1:]] == [older.reference, newer.reference]
    assert rows[1][5] == "Older"
    assert rows[1][4] == datetime.datetime.combine(
        timezone.localdate(older.filed_at), datetime.time()
    )
    assert export.row_count == 2 and export.status == ExportStatus.DONE


@pytest.mark.django_db
def test_exports_filters_keep_only_matching_rows(agent, paris):
    _filed(paris, status=ApplicationStatus.SUBMITTED)
    complete = _filed(paris, status=ApplicationStatus.COMPLETE)
    export = _built(agent, filters=QueueFilters(status=ApplicationStatus.COMPLETE))
    assert [row[0] for row in _xlsx_rows(export)[1:]] == [complete.reference]


@pytest.mark.django_db
def test_exports_xlsx_formula_in_name_written_as_text(agent, paris):
    _filed(paris, last_name='=HYPERLINK("http://evil.example","x")')
    export = _built(agent)
    with export.file.open("rb") as stored:
        sheet = openpyxl.load_workbook(io.BytesIO(stored.read())).active
    cell = sheet.cell(row=2, column=6)
    assert cell.value == '\'=HYPERLINK("http://evil.example","x")'
    assert cell.data_type == "s"


@pytest.mark.django_db
def test_exports_csv_formula_in_name_prefixed(agent, paris):
    _filed(paris, last_name="@SUM(1+1)")
    rows = _csv_rows(_built(agent, file_format="csv"))
    assert rows[1][5] == "'@SUM(1+1)"


@pytest.mark.django_db
def test_exports_csv_has_header_and_rows(agent, paris):
    application = _filed(paris, last_name="Nguyen")
    rows = _csv_rows(_built(agent, file_format="csv"))
    assert rows[0][0] == "Reference"
    assert rows[1][0] == application.reference and rows[1][5] == "Nguyen"


@pytest.mark.django_db
def test_exports_headers_in_the_language_of_the_request(agent, paris):
    _filed(paris)
    rows = _csv_rows(_built(agent, file_format="csv", language="fr"))
    assert rows[0][0] == "Référence"


@pytest.mark.django_db
def test_exports_build_logged_as_personal_data_access(agent, paris):
    _filed(paris)
    _filed(paris)
    export = _built(agent, filters=QueueFilters(search="Martin"))
    entry = LogEntry.objects.get(additional_data__action="queue_export")
    assert entry.actor == agent
    assert entry.additional_data["personal_data_access"] is True
    assert entry.additional_data["rows"] == 2
    assert entry.additional_data["filters"] == {"search": "Martin", "order": "priority"}
    assert entry.object_pk == str(export.pk)


@pytest.mark.django_db
def test_exports_build_twice_second_does_nothing(agent, paris):
    _filed(paris)
    export = _built(agent)
    assert queue_export_build(export.pk) is None
    assert LogEntry.objects.filter(additional_data__action="queue_export").count() == 1


@pytest.mark.django_db
def test_exports_request_while_one_in_progress_refused(agent):
    queue_export_request(agent=agent, filters=QueueFilters(), file_format="csv", language="en")
    with pytest.raises(DomainError) as refused:
        queue_export_request(agent=agent, filters=QueueFilters(), file_format="csv", language="en")
    assert refused.value.code == "duplicate"
    assert QueueExport.objects.count() == 1


@pytest.mark.django_db
def test_exports_agent_moved_before_build_gets_nothing(agent, paris):
    _filed(paris)
    export = queue_export_request(
        agent=agent, filters=QueueFilters(), file_format="csv", language="en"
    )
    agent.prefecture = Prefecture.objects.get(departement_code="69")
    agent.save(update_fields=["prefecture"])
    built = queue_export_build(export.pk)
    assert built.status == ExportStatus.FAILED and not built.file


@pytest.mark.django_db
def test_exports_abandoned_build_taken_over(agent, paris):
    _filed(paris)
    export = queue_export_request(
        agent=agent, filters=QueueFilters(), file_format="csv", language="en"
    )
    QueueExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert queue_export_build(export.pk).status == ExportStatus.DONE


@pytest.mark.django_db
def test_exports_running_build_not_taken_twice(agent, paris):
    export = queue_export_request(
        agent=agent, filters=QueueFilters(), file_format="csv", language="en"
    )
    QueueExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    assert queue_export_build(export.pk) is None


# --- Purge --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_exports_purge_deletes_expired_export_and_file(
    agent, paris, django_capture_on_commit_callbacks
):
    _filed(paris)
    export = _built(agent, file_format="csv")
    storage, name = export.file.storage, export.file.name
    with django_capture_on_commit_callbacks(execute=True):
        deleted = queue_exports_purge(now=export.expires_at)
    assert deleted == 1
    assert not QueueExport.objects.exists()
    assert not storage.exists(name)


@pytest.mark.django_db
def test_exports_purge_keeps_export_not_yet_expired(agent, paris):
    export = _built(agent, file_format="csv")
    assert queue_exports_purge(now=export.expires_at - datetime.timedelta(seconds=1)) == 0
    assert QueueExport.objects.filter(pk=export.pk).exists()


def test_exports_purge_scheduled_by_beat():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "applications.queue_exports_purge" in tasks


# --- Pages --------------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client(headers=EN)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_exports_page_request_builds_the_export_with_the_queue_filters(
    agent, paris, django_capture_on_commit_callbacks
):
    complete = _filed(paris, status=ApplicationStatus.COMPLETE)
    _filed(paris)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(agent).post(
            reverse("backoffice:export_new"), {"status": "complete", "file_format": "xlsx"}
        )
    assert response.status_code == 302
    export = QueueExport.objects.get()
    assert export.status == ExportStatus.DONE
    assert [row[0] for row in _xlsx_rows(export)[1:]] == [complete.reference]


@pytest.mark.django_db
def test_exports_new_page_shows_the_filters(agent):
    response = _client(agent).get(reverse("backoffice:export_new"), {"status": "complete"})
    assert "Status : Complete" in response.content.decode()


@pytest.mark.django_db
def test_exports_list_refreshes_while_in_progress(agent):
    queue_export_request(agent=agent, filters=QueueFilters(), file_format="csv", language="en")
    response = _client(agent).get(reverse("backoffice:exports"))
    assert b'http-equiv="refresh"' in response.content


@pytest.mark.django_db
def test_exports_list_does_not_show_another_agents_export(agent, paris):
    colleague = PrefectureAgentFactory(prefecture=paris)
    _built(colleague, file_format="csv")
    response = _client(agent).get(reverse("backoffice:exports"))
    assert response.context["exports"] == []


@pytest.mark.django_db
def test_exports_download_by_its_agent_gives_the_file_and_is_logged(agent, paris):
    _filed(paris)
    export = _built(agent, file_format="csv")
    response = _client(agent).get(reverse("backoffice:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode("utf-8-sig").startswith("Reference;")
    assert LogEntry.objects.filter(additional_data__action="queue_export_download").exists()


def _download_status(user, export) -> int:
    return _client(user).get(reverse("backoffice:export_download", args=[export.pk])).status_code


@pytest.mark.django_db
def test_exports_download_by_colleague_of_same_prefecture_not_found(agent, paris):
    export = _built(agent, file_format="csv")
    assert _download_status(PrefectureAgentFactory(prefecture=paris), export) == 404


@pytest.mark.django_db
def test_exports_download_by_agent_of_another_prefecture_not_found(agent):
    export = _built(agent, file_format="csv")
    other = PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="69"))
    assert _download_status(other, export) == 404


@pytest.mark.django_db
def test_exports_download_by_applicant_forbidden(agent):
    export = _built(agent, file_format="csv")
    assert _download_status(ApplicantProfileFactory().user, export) == 403


@pytest.mark.django_db
def test_exports_download_by_contact_centre_agent_forbidden(agent):
    export = _built(agent, file_format="csv")
    assert _download_status(ContactCentreAgentFactory(), export) == 403


@pytest.mark.django_db
def test_exports_download_after_expiry_not_found(agent):
    export = _built(agent, file_format="csv")
    now = timezone.now()
    QueueExport.objects.filter(pk=export.pk).update(
        created_at=now - datetime.timedelta(hours=25), expires_at=now - datetime.timedelta(hours=1)
    )
    assert _download_status(agent, export) == 404


@pytest.mark.django_db
def test_exports_download_by_agent_since_moved_not_found(agent):
    export = _built(agent, file_format="csv")
    agent.prefecture = Prefecture.objects.get(departement_code="69")
    agent.save(update_fields=["prefecture"])
    assert _download_status(agent, export) == 404


@pytest.mark.django_db
def test_exports_queue_links_to_the_export_with_its_filters(agent):
    response = _client(agent).get(reverse("backoffice:home"), {"status": "complete"})
    assert reverse("backoffice:export_new") + "?status=complete" in response.content.decode()
