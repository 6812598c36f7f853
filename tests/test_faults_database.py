"""The database connection is cut during an upload (issue 8, "Faults"): no half-saved dossier —
no document row without its file, no stored file without its row, nothing in the timeline —
and sending the file again saves it once. Run on PostgreSQL, where the server really ends the
session (`pg_terminate_backend`) while the upload is half-way through its transaction."""

import psycopg
import pytest
from django.core.files.storage import storages
from django.db import DatabaseError, connection
from django.urls import reverse

from applications import services
from applications.enums import EventKind
from applications.models import Application, Document
from applications.services import documents as document_services
from reference.models import DocumentType
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import pdf_upload
from tests.applications.helpers import started

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the connection is cut by the PostgreSQL server"
)


def cut_this_connection() -> None:
    """Ask the server, from a second connection, to end this test's database session."""
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def stored_names(monkeypatch):
    """The storage keys the uploads wrote, whatever became of them."""
    names = []
    original = document_services.file_written

    def spy(field_file):
        names.append(field_file.name)
        original(field_file)

    monkeypatch.setattr(document_services, "file_written", spy)
    return names


@pytest.fixture
def cut_after_nth_file(monkeypatch):
    """Cut the connection once the n-th file's bytes are stored, before its row is saved."""

    def arm(n: int):
        seen = {"files": 0}
        original = document_services.file_written

        def file_written_then_cut(field_file):
            original(field_file)
            seen["files"] += 1
            if seen["files"] == n:
                cut_this_connection()

        monkeypatch.setattr(document_services, "file_written", file_written_then_cut)

    return arm


@pytest.fixture
def profile(transactional_db, reference_data):
    return ApplicantProfileFactory(postal_code="75011")


def passport() -> DocumentType:
    return DocumentType.objects.get(code="passport")


def document_events(application: Application) -> int:
    return application.events.filter(kind=EventKind.DOCUMENT_ADDED).count()


def passport_add(application: Application, profile):
    """The person uploads their passport as a PDF."""
    return services.document_add(
        application=application,
        document_type=passport(),
        uploaded_file=pdf_upload("passeport.pdf"),
        actor=profile.user,
    )


def test_fault_db_cut_during_upload_leaves_neither_row_nor_file(
    profile, stored_names, cut_after_nth_file
):
    application = started(profile)
    storage = storages["default"]
    cut_after_nth_file(1)
    with pytest.raises(DatabaseError):
        passport_add(application, profile)
    connection.close()  # the next query opens a new session
    assert stored_names, "the file had been written before the cut"
    assert not Document.objects.filter(application=application).exists()
    assert document_events(application) == 0
    assert not any(storage.exists(name) for name in stored_names)


def test_fault_db_cut_then_the_same_upload_again_saves_it_once(profile, cut_after_nth_file):
    application = started(profile)
    cut_after_nth_file(1)
    with pytest.raises(DatabaseError):
        passport_add(application, profile)
    connection.close()
    cut_after_nth_file(0)  # no more cuts
    document = passport_add(application, profile)
    assert list(Document.objects.filter(application=application)) == [document]
    assert storages["default"].exists(document.file.name)
    assert document_events(application) == 1


def test_fault_db_cut_on_the_second_of_two_files_keeps_the_first_whole(
    client, profile, cut_after_nth_file, stored_names
):
    application = started(profile)
    client.force_login(profile.user)
    client.raise_request_exception = False  # the person gets the error page, as in production
    cut_after_nth_file(2)
    response = client.post(
        reverse("portal:document_upload", args=[application.reference, "passport"]),
        {"files": [pdf_upload("page-1.pdf"), pdf_upload("page-2.pdf")]},
    )
    connection.close()
    assert response.status_code == 500
    saved = list(Document.objects.filter(application=application))
    assert [document.original_name for document in saved] == ["page-1.pdf"]
    assert storages["default"].exists(saved[0].file.name)
    assert document_events(application) == 1
    assert stored_names[0] == saved[0].file.name
    assert not storages["default"].exists(stored_names[1])  # page 2: written, then removed
    application.refresh_from_db()
    assert application.status == "draft"


def test_fault_db_cut_while_opening_a_ticket_with_a_screenshot_keeps_no_file(
    transactional_db, reference_data, monkeypatch
):
    """The contact form's screenshot (support) shares the fate of its ticket as well."""
    from support import services as support_services
    from support.enums import TicketCategory, TicketChannel
    from support.models import Ticket, TicketAttachment
    from tests.applications.factories import PNG_BYTES

    names = []
    original = support_services.file_written

    def file_written_then_cut(field_file):
        original(field_file)
        names.append(field_file.name)
        cut_this_connection()

    monkeypatch.setattr(support_services, "file_written", file_written_then_cut)
    with pytest.raises(DatabaseError):
        support_services.ticket_open(
            channel=TicketChannel.WEB_FORM,
            category=TicketCategory.CANNOT_CREATE_ACCOUNT,
            body="La création du compte échoue.",
            name="Awa Traoré",
            email="awa.traore@example.org",
            attachments=[pdf_upload("capture.png", PNG_BYTES)],
        )
    connection.close()
    assert names, "the screenshot had been written before the cut"
    assert not Ticket.objects.filter(email="awa.traore@example.org").exists()
    assert not TicketAttachment.objects.exists()
    assert not any(storages["default"].exists(name) for name in names)
