"""Back-office access log (issue 8, personal data; RGPD art. 15): every opening by a prefecture
agent of a person's dossier, of one of its documents or of their substitution case is written
once in `PersonalDataAccess`, and the person — only them — reads it on /me/consultations/."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from applications.models import Application
from reference.models import Prefecture
from support.enums import PersonalDataScope
from support.models import PersonalDataAccess
from support.services import personal_data_access_record
from tests.accounts.factories import (
    ApplicantProfileFactory,
    ContactCentreAgentFactory,
    MandateFactory,
    PrefectureAgentFactory,
)
from tests.applications.helpers import filed
from tests.substitution.factories import CaseFactory

EN = {"accept-language": "en"}
CONSULTATIONS_MAX_QUERIES = 8


@pytest.fixture
def agent(paris):
    return PrefectureAgentFactory(prefecture=paris, first_name="Inès", last_name="Agente")


@pytest.fixture
def application(paris) -> Application:
    return filed(ApplicantProfileFactory(postal_code="75011"))


def _open_dossier(client, user, application):
    client.force_login(user)
    return client.get(
        reverse("backoffice:application_detail", args=[application.reference]), headers=EN
    )


def _download(client, user, document, **params):
    client.force_login(user)
    response = client.get(reverse("document_download", args=[document.pk]), params)
    if response.status_code == 200:
        b"".join(response.streaming_content)  # read to the end: the stored file is closed
    return response


@pytest.mark.django_db
def test_views_backoffice_application_detail_agent_logged_once(client, agent, application):
    assert _open_dossier(client, agent, application).status_code == 200

    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.person, access.application, access.ticket) == (
        agent,
        application.applicant,
        application,
        None,
    )
    assert access.scope == PersonalDataScope.DOSSIER


@pytest.mark.django_db
def test_views_backoffice_application_detail_each_opening_logged(client, agent, application):
    _open_dossier(client, agent, application)
    _open_dossier(client, agent, application)
    assert PersonalDataAccess.objects.filter(viewer=agent).count() == 2


@pytest.mark.django_db
def test_views_backoffice_application_detail_other_prefecture_not_found_not_logged(
    client, application
):
    outsider = PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="93"))
    assert _open_dossier(client, outsider, application).status_code == 404
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_views_document_download_agent_logged_with_scope_document(client, agent, application):
    document = application.documents.first()

    response = _download(client, agent, document, inline="1")

    assert response.status_code == 200
    access = PersonalDataAccess.objects.get()
    assert access.scope == PersonalDataScope.DOCUMENT
    assert (access.viewer, access.person, access.application) == (
        agent,
        application.applicant,
        application,
    )


@pytest.mark.django_db
def test_views_document_download_other_prefecture_not_found_not_logged(client, application):
    outsider = PrefectureAgentFactory(prefecture=Prefecture.objects.get(departement_code="93"))
    assert _download(client, outsider, application.documents.first()).status_code == 404
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_views_document_download_owner_not_logged(client, application):
    response = _download(client, application.applicant, application.documents.first())
    assert response.status_code == 200
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_views_document_download_helper_under_mandate_not_logged(client, application):
    helper = MandateFactory(person=application.applicant).helper
    response = _download(client, helper, application.documents.first())
    assert response.status_code == 200
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_views_backoffice_substitution_case_detail_agent_logged(client, agent, paris):
    person = ApplicantProfileFactory(postal_code="75011").user
    case = CaseFactory(person=person, prefecture=paris)
    client.force_login(agent)

    response = client.get(reverse("substitution_backoffice:case_detail", args=[case.reference]))

    assert response.status_code == 200
    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.person, access.scope) == (
        agent,
        person,
        PersonalDataScope.SUBSTITUTION,
    )


@pytest.mark.django_db
def test_views_backoffice_substitution_case_without_account_not_logged(client, agent, paris):
    case = CaseFactory(prefecture=paris)
    client.force_login(agent)
    response = client.get(reverse("substitution_backoffice:case_detail", args=[case.reference]))
    assert response.status_code == 200
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_services_personal_data_access_record_only_staff(agent, application):
    person = application.applicant
    helper = MandateFactory(person=person).helper
    assert personal_data_access_record(viewer=person, person=person) is None
    assert personal_data_access_record(viewer=helper, person=person) is None
    assert personal_data_access_record(viewer=ContactCentreAgentFactory(), person=person)
    assert personal_data_access_record(viewer=agent, person=person, application=application)
    assert PersonalDataAccess.objects.count() == 2


# --- What the person reads ------------------------------------------------------------------------


@pytest.mark.django_db
def test_views_portal_consultations_person_sees_the_agents_openings(client, agent, application):
    _open_dossier(client, agent, application)
    _download(client, agent, application.documents.first())
    client.force_login(application.applicant)

    response = client.get(reverse("personal_data_consultations"), headers=EN)

    assert response.status_code == 200
    text = response.text
    prefecture = agent.prefecture.name_en or agent.prefecture.name  # the English page
    assert f"Inès Agente, agent of the {prefecture}" in text
    assert (
        f"An agent of the {prefecture} consulted your application {application.reference}" in text
    )
    assert (
        f"An agent of the {prefecture} opened a document of your application "
        f"{application.reference}." in text
    )


@pytest.mark.django_db
def test_views_portal_consultations_other_person_does_not_see_them(client, agent, application):
    _open_dossier(client, agent, application)
    other = ApplicantProfileFactory(postal_code="75011").user
    client.force_login(other)

    response = client.get(reverse("personal_data_consultations"), headers=EN)

    assert response.context["accesses"] == []
    assert application.reference not in response.text


@pytest.mark.django_db
def test_views_portal_consultations_query_count_constant(
    client, agent, application, django_assert_max_num_queries
):
    for _ in range(5):
        _open_dossier(client, agent, application)
        _download(client, agent, application.documents.first())
    personal_data_access_record(viewer=ContactCentreAgentFactory(), person=application.applicant)
    client.force_login(application.applicant)

    with django_assert_max_num_queries(CONSULTATIONS_MAX_QUERIES):
        response = client.get(reverse("personal_data_consultations"), headers=EN)

    assert len(response.context["accesses"]) == 11


# --- The same through the REST API ----------------------------------------------------------------


@pytest.mark.django_db
def test_api_agent_application_detail_logged(agent, application):
    client = APIClient()
    client.force_authenticate(agent)

    response = client.get(
        reverse("api:agent-application-detail", kwargs={"reference": application.reference})
    )

    assert response.status_code == 200
    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.scope, access.application) == (
        agent,
        PersonalDataScope.DOSSIER,
        application,
    )


@pytest.mark.django_db
def test_api_document_file_agent_logged(agent, application):
    client = APIClient()
    client.force_authenticate(agent)
    document = application.documents.first()

    response = client.get(
        reverse("api:document-file", kwargs={"pk": document.pk}),
        HTTP_ACCEPT=document.content_type,
    )

    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert PersonalDataAccess.objects.get().scope == PersonalDataScope.DOCUMENT
