"""Agents' notes are written once (issue 20): no page, API endpoint or admin screen edits or
deletes one after posting; the notes' route answers only POST (a new note)."""

import pytest
from django.contrib import admin
from django.urls import get_resolver, reverse

from applications.enums import ApplicationStatus
from applications.models import Annotation
from applications.workbench import services
from reference.models import Prefecture
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

# The only routes that touch notes: writing a new one, exporting them for the person.
NOTE_ROUTES = {
    "backoffice:application_annotate",
    "backoffice:application_annotations_export",
    "api:agent-application-notes",  # read and post only (tests/applications/test_api_workbench.py)
}


@pytest.fixture
def note(reference_data, agent):
    application = ApplicationFactory(
        applicant=ApplicantProfileFactory(postal_code="75011").user,
        prefecture=Prefecture.objects.get(departement_code="75"),
        status=ApplicationStatus.SUBMITTED,
    )
    return services.annotation_create(application=application, actor=agent, body="Seen at desk")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_workbench_note_edit_or_delete_method_refused(client, note, agent, method):
    client.force_login(agent)
    url = reverse("backoffice:application_annotate", args=[note.application.reference])
    response = getattr(client, method)(url, data="body=Changed", content_type="text/plain")
    assert response.status_code == 405
    note.refresh_from_db()
    assert note.body == "Seen at desk"


def _route_names() -> set[str]:
    names = set()

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_workbench_no_route_edits_or_deletes_a_note():
    # Dossier routes of the back office and the API (the contact centre's ticket notes are
    # another thing, in support/).
    touching = {
        name
        for name in _route_names()
        if name.split(":")[0] in ("backoffice", "api")
        and "support" not in name
        and ("annotat" in name.lower() or "note" in name.lower())
    }
    assert touching == NOTE_ROUTES


def test_workbench_note_not_in_admin():
    assert Annotation not in admin.site._registry


def test_workbench_note_service_module_offers_no_edit_or_delete():
    writes = {name for name in dir(services) if name.startswith("annotation")}
    assert writes == {"annotation_create", "annotations_export"}
