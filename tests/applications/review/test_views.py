"""The review's pages: the agent's verdicts and « ask for the rejected pieces », the person's
piece states in their language, and the doors others try."""

import pytest
from django.urls import reverse

from applications.models import CorrectionRequest, DocumentReview
from applications.review import services
from applications.review.rules import RejectionReason, Verdict
from applications.services import document_add
from tests.accounts.factories import ContactCentreAgentFactory, HelperFactory, MandateFactory
from tests.applications.factories import pdf_upload
from tests.applications.helpers import filed

pytestmark = pytest.mark.django_db

EN = {"headers": {"accept-language": "en"}}


def _review_url(application, document):
    return reverse("backoffice:document_review", args=[application.reference, document.pk])


def _portal_url(application):
    return reverse("portal:application_detail", args=[application.reference])


def _rejected(document, agent, reason=RejectionReason.EXPIRED):
    return services.document_review(
        document=document, actor=agent, verdict=Verdict.REJECTED, reason=reason
    )


def test_backoffice_review_agent_rejects_file(client, application, documents, agent):
    client.force_login(agent)
    response = client.post(
        _review_url(application, documents[0]),
        {"verdict": "rejected", "reason": "illegible", "note": "Blurred"},
    )
    assert response.status_code == 302
    review = DocumentReview.objects.get(document=documents[0])
    assert (review.verdict, review.reason, review.note) == ("rejected", "illegible", "Blurred")


def test_backoffice_review_document_of_other_dossier_hidden(client, application, documents, agent):
    other = filed(_other_profile())
    client.force_login(agent)
    foreign = other.documents.first()
    response = client.post(_review_url(application, foreign), {"verdict": "accepted"})
    assert response.status_code == 404
    assert not DocumentReview.objects.exists()


def _other_profile():
    from tests.accounts.factories import ApplicantProfileFactory

    return ApplicantProfileFactory(postal_code="75012")


def test_backoffice_review_agent_of_other_prefecture_hidden(
    client, application, documents, other_agent
):
    client.force_login(other_agent)
    response = client.post(_review_url(application, documents[0]), {"verdict": "accepted"})
    assert response.status_code == 404
    assert not DocumentReview.objects.exists()


def test_backoffice_review_applicant_posting_refused(client, application, documents, profile):
    client.force_login(profile.user)
    response = client.post(_review_url(application, documents[0]), {"verdict": "accepted"})
    assert response.status_code == 403
    assert not DocumentReview.objects.exists()


def test_backoffice_review_contact_centre_refused(client, application, documents):
    client.force_login(ContactCentreAgentFactory())
    response = client.post(_review_url(application, documents[0]), {"verdict": "accepted"})
    assert response.status_code == 403
    assert not DocumentReview.objects.exists()


def test_backoffice_ask_rejected_pieces_one_correction(client, application, documents, agent):
    _rejected(documents[0], agent)
    _rejected(documents[1], agent)
    client.force_login(agent)
    url = reverse("backoffice:rejected_pieces_request", args=[application.reference])
    response = client.post(url)
    assert response.status_code == 302
    assert CorrectionRequest.objects.filter(application=application).count() == 1


def test_backoffice_ask_nothing_rejected_sends_nothing(client, application, documents, agent):
    client.force_login(agent)
    url = reverse("backoffice:rejected_pieces_request", args=[application.reference])
    response = client.post(url, follow=True, **EN)
    assert not CorrectionRequest.objects.exists()
    assert "No file was rejected" in response.content.decode()


def test_backoffice_dossier_page_shows_review_button(client, application, documents, agent):
    _rejected(documents[0], agent)
    client.force_login(agent)
    response = client.get(
        reverse("backoffice:application_detail", args=[application.reference]), **EN
    )
    assert "Ask for the rejected pieces" in response.content.decode()


# --- The person's checklist ----------------------------------------------------------------------


def test_portal_piece_rejected_reason_in_english(client, application, documents, agent, profile):
    _rejected(documents[0], agent)
    client.force_login(profile.user)
    page = client.get(_portal_url(application), **EN).content.decode()
    assert "To replace" in page
    assert "The document has expired" in page


def test_portal_piece_rejected_reason_in_french(client, application, documents, agent, profile):
    _rejected(documents[0], agent)
    client.force_login(profile.user)
    page = client.get(_portal_url(application), headers={"accept-language": "fr"})
    assert "Le document est périmé" in page.content.decode()
    assert page.headers["content-language"] == "fr"


def test_portal_piece_to_replace_has_its_upload_form_open_others_folded(
    client, application, documents, agent, profile
):
    _rejected(documents[0], agent)
    client.force_login(profile.user)
    page = client.get(_portal_url(application), **EN).content.decode()
    rejected_code = documents[0].document_type.code

    def fold_of(code: str) -> str:
        """The <details …> opening the upload form of piece `code`."""
        section = page[page.index(f'id="piece-{code}"') :]
        start = section.rindex("<details", 0, section.index("Add more files"))
        return section[start : section.index(">", start)]

    assert " open" in fold_of(rejected_code)
    others = [d.document_type.code for d in documents[1:] if d.document_type.code != rejected_code]
    assert others and all(" open" not in fold_of(code) for code in others)


def test_portal_piece_states_accepted_and_not_reviewed(
    client, application, documents, agent, profile
):
    services.document_review(document=documents[0], actor=agent, verdict=Verdict.ACCEPTED)
    client.force_login(profile.user)
    page = client.get(_portal_url(application), **EN).content.decode()
    assert f'id="piece-{documents[0].document_type.code}-state"' in page
    assert "Accepted" in page
    assert "Not looked at yet" in page


def test_portal_replacing_rejected_piece_resets_state(
    client, application, documents, agent, profile
):
    _rejected(documents[0], agent)
    document_add(
        application=application,
        document_type=documents[0].document_type,
        uploaded_file=pdf_upload("new.pdf"),
        actor=profile.user,
    )
    client.force_login(profile.user)
    page = client.get(_portal_url(application), **EN).content.decode()
    assert "To replace" not in page
    assert "The document has expired" not in page


def test_portal_mandated_helper_sees_piece_state(client, application, documents, agent, profile):
    helper = HelperFactory()
    MandateFactory(helper=helper, person=profile.user)
    _rejected(documents[0], agent)
    client.force_login(helper)
    page = client.get(_portal_url(application), **EN).content.decode()
    assert "The document has expired" in page


def test_portal_dossier_page_queries_constant_with_30_files(
    client, application, documents, agent, profile, django_assert_max_num_queries
):
    client.force_login(profile.user)
    with django_assert_max_num_queries(200) as baseline:
        client.get(_portal_url(application))
    for index in range(30):
        document = document_add(
            application=application,
            document_type=documents[index % len(documents)].document_type,
            uploaded_file=pdf_upload(f"page-{index}.pdf"),
            actor=profile.user,
        )
        if index % 2:
            _rejected(document, agent)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        client.get(_portal_url(application))


def test_backoffice_dossier_page_queries_constant_with_30_files(
    client, application, documents, agent, profile, django_assert_max_num_queries
):
    client.force_login(agent)
    url = reverse("backoffice:application_detail", args=[application.reference])
    with django_assert_max_num_queries(200) as baseline:
        client.get(url)
    for index in range(30):
        document = document_add(
            application=application,
            document_type=documents[index % len(documents)].document_type,
            uploaded_file=pdf_upload(f"page-{index}.pdf"),
            actor=profile.user,
        )
        _rejected(document, agent)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        client.get(url)
