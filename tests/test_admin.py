"""The Django admin serves reference data, users and roles to administrators."""

import pytest
from django.urls import reverse

from tests.accounts.factories import AdministratorFactory

ADMIN_PAGES = [
    "admin:reference_ground_changelist",
    "admin:reference_prefecture_changelist",
    "admin:reference_documenttype_changelist",
    "admin:accounts_user_changelist",
    "admin:accounts_user_add",
    "admin:auditlog_logentry_changelist",
    "admin:applications_application_changelist",
    "admin:applications_residencepermit_changelist",
    "admin:reference_decisionreason_changelist",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ADMIN_PAGES)
def test_admin_pages_render_for_administrator(client, reference_data, url_name):
    client.force_login(AdministratorFactory())
    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.django_db
def test_admin_ground_change_page_shows_its_checklist(client, reference_data):
    from reference.models import Ground

    client.force_login(AdministratorFactory())
    ground = Ground.objects.get(code="student")
    response = client.get(reverse("admin:reference_ground_change", args=[ground.pk]))
    assert response.status_code == 200
    assert ground.requirements.first().document_type.code in response.text


@pytest.mark.django_db
def test_admin_changes_to_reference_data_are_audited(client, reference_data):
    from auditlog.models import LogEntry

    from reference.models import Prefecture

    administrator = AdministratorFactory()
    client.force_login(administrator)
    prefecture = Prefecture.objects.get(departement_code="75")
    data = {
        field: getattr(prefecture, field)
        for field in (
            "code",
            "name",
            "departement_code",
            "departement_name",
            "address_line",
            "postal_code",
            "city",
            "phone",
            "email",
            "pan_opening_hours",
        )
    }
    data["phone"] = "01 00 00 00 00"
    response = client.post(reverse("admin:reference_prefecture_change", args=[prefecture.pk]), data)
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(prefecture).latest("timestamp")
    assert entry.actor == administrator
    assert "phone" in entry.changes_dict


@pytest.mark.django_db
def test_admin_dossier_page_shows_timeline_but_cannot_change_status(client, reference_data):
    from applications.models import Application
    from tests.accounts.factories import ApplicantProfileFactory
    from tests.applications.helpers import filed

    application = filed(ApplicantProfileFactory())
    client.force_login(AdministratorFactory())
    url = reverse("admin:applications_application_change", args=[application.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="status"' not in response.text
    client.post(url, {"status": "favourable"})
    assert Application.objects.get(pk=application.pk).status == "submitted"
