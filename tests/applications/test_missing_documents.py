"""The pieces still missing from dossiers: one definition (`missing_documents_by_application`),
for one dossier (`application_missing_documents`) or many in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Document
from applications.selectors import application_missing_documents, missing_documents_by_application
from reference.models import GroundRequirement
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _mandatory(application):
    return [
        requirement
        for requirement in GroundRequirement.objects.filter(ground=application.ground)
        if requirement.mandatory and requirement.applies_to(application.kind)
    ]


def _give(application, requirement, **extra):
    Document.objects.create(
        application=application,
        document_type=requirement.document_type,
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=application.applicant,
        **extra,
    )


def test_missing_documents_one_file_given_that_piece_no_longer_missing(reference_data):
    application = ApplicationFactory()
    first, *rest = _mandatory(application)
    assert first.document_type in application_missing_documents(application)

    _give(application, first)

    missing = application_missing_documents(application)
    assert first.document_type not in missing
    assert [piece.pk for piece in missing] == [requirement.document_type_id for requirement in rest]


def test_missing_documents_file_sent_with_an_error_report_does_not_count(reference_data):
    from applications.models import ErrorReport

    application = ApplicationFactory()
    first = _mandatory(application)[0]
    report = ErrorReport.objects.create(
        application=application,
        category="other",
        description="x",
        reported_by=application.applicant,
    )
    _give(application, first, error_report=report)

    assert first.document_type in application_missing_documents(application)


def test_missing_documents_by_application_queries_do_not_grow_with_dossiers(reference_data):
    def queries_for(count: int) -> int:
        applications = [ApplicationFactory() for _ in range(count)]
        with CaptureQueriesContext(connection) as queries:
            missing = missing_documents_by_application(applications)
        assert set(missing) == {application.pk for application in applications}
        return len(queries)

    assert queries_for(1) == queries_for(5) == 2
