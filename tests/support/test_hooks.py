"""support answers the apps below it without being imported by them (issue 19,
docs/architecture.md item 3): the hold after an account recovery through `anef.holds`, and the
consultation log through `applications.consultations.dossier_consulted`. Each hook is proved by
disconnecting it: the behaviour the lower app relies on is gone."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from anef import holds
from applications.consultations import consulted, dossier_consulted
from applications.models import Document
from reference.models import DocumentType
from support import receivers
from support.enums import PersonalDataScope
from support.models import PersonalDataAccess
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.factories import PDF_BYTES
from tests.applications.helpers import filed

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


@pytest.fixture
def application(reference_data):
    return filed(ApplicantProfileFactory(postal_code="75011"))


@pytest.fixture
def document(application, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    document = Document(
        application=application,
        document_type=DocumentType.objects.get(code="passport"),
        original_name="passport.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256="0" * 64,
        uploaded_by=application.applicant,
    )
    document.file.save("passport.pdf", ContentFile(PDF_BYTES), save=True)
    return document


@pytest.fixture
def agent(application):
    return PrefectureAgentFactory(prefecture=application.prefecture)


@pytest.fixture
def held(monkeypatch):
    """support's rule says the person is held for another day (the rule itself is tested in
    test_recovery_attacks.py); what is tested here is that its answer reaches the apps below."""
    until = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr("support.selectors.recovery_hold_until", lambda user, now=None: until)
    return until


@pytest.fixture
def without_recovery_hold():
    provider = holds.unregister(receivers.RECOVERY_HOLD_KEY)
    assert provider is not None  # registered by SupportConfig.ready()
    yield
    holds.register(receivers.RECOVERY_HOLD_KEY, provider)


@pytest.fixture
def without_consultation_log():
    assert dossier_consulted.disconnect(dispatch_uid="support_dossier_consulted")
    yield
    dossier_consulted.connect(receivers.dossier_consulted, dispatch_uid="support_dossier_consulted")


def _download(client, user, document):
    client.force_login(user)
    response = client.get(reverse("document_download", args=[document.pk]), headers=EN)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # read to the end: the stored file is closed
    return response


# --- The hold after a recovery (issue 15) -------------------------------------------------------


def test_hooks_recovery_hold_registered_answers_with_support_page(application, held):
    with translation.override("en"):
        hold = holds.hold_for(application.applicant)
    assert hold.until == held
    assert hold.template == "support/recovery_held.html"
    assert "recovery of your account" in hold.message


def test_hooks_recovery_hold_none_when_support_holds_nothing(application):
    assert holds.hold_for(application.applicant) is None


def test_hooks_recovery_hold_download_refused_with_support_page(client, document, held):
    response = _download(client, document.application.applicant, document)
    assert response.status_code == 403
    assert "support/recovery_held.html" in [t.name for t in response.templates]


def test_hooks_recovery_hold_api_download_refused_with_its_message(client, document, held):
    client.force_login(document.application.applicant)
    response = client.get(reverse("api:document-file", args=[document.pk]), headers=EN)
    assert response.status_code == 403
    assert "recovery of your account" in response.json()["message"]


def test_hooks_recovery_hold_unregistered_download_served(
    client, document, held, without_recovery_hold
):
    """The mutation check of the wiring: without support's provider nothing is held."""
    assert _download(client, document.application.applicant, document).status_code == 200


# --- The consultation log (issue 8) -------------------------------------------------------------


def test_hooks_dossier_consulted_document_logged_with_document_scope(agent, document):
    consulted(viewer=agent, application=document.application, document=document)
    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.person) == (agent, document.application.applicant)
    assert access.scope == PersonalDataScope.DOCUMENT
    assert access.application == document.application


def test_hooks_dossier_consulted_dossier_logged_with_dossier_scope(agent, application):
    consulted(viewer=agent, application=application)
    assert PersonalDataAccess.objects.get().scope == PersonalDataScope.DOSSIER


def test_hooks_dossier_consulted_by_the_person_not_logged(application):
    consulted(viewer=application.applicant, application=application)
    assert not PersonalDataAccess.objects.exists()


def test_hooks_dossier_consulted_receiver_disconnected_agent_opening_not_logged(
    client, agent, application, without_consultation_log
):
    """The mutation check of the wiring: the back office's page still opens, but nothing
    reaches the person's log."""
    client.force_login(agent)
    url = reverse("backoffice:application_detail", args=[application.reference])
    assert client.get(url, headers=EN).status_code == 200
    assert not PersonalDataAccess.objects.exists()
