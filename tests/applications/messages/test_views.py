"""The thread's pages: both dossier pages, posting, files, unread counts, and the attacks on
someone else's thread (another applicant, a helper without mandate, an agent of another
prefecture, the contact centre, a forged file id)."""

import pytest
from django.urls import reverse

from applications.messages.models import Message
from applications.messages.services import message_post
from tests.accounts.factories import ApplicantProfileFactory
from tests.applications.factories import ApplicationFactory, pdf_upload

pytestmark = pytest.mark.django_db

EN = {"headers": {"accept-language": "en"}}


def _portal(application) -> str:
    return reverse("portal:application_detail", kwargs={"reference": application.reference})


def _backoffice(application) -> str:
    return reverse("backoffice:application_detail", kwargs={"reference": application.reference})


def _post_url(namespace: str, application) -> str:
    return reverse(f"{namespace}:message_post", kwargs={"reference": application.reference})


def _file_url(namespace: str, application, attachment) -> str:
    return reverse(
        f"{namespace}:message_attachment",
        kwargs={"reference": application.reference, "pk": attachment.pk},
    )


@pytest.fixture
def attachment(application, applicant):
    message = message_post(
        application=application, actor=applicant, body="Proof", attachments=[pdf_upload()]
    )
    return message.attachments.get()


# --- Posting, both ways --------------------------------------------------------------------------


def test_portal_message_post_applicant_stored_and_back_to_thread(client, application, applicant):
    client.force_login(applicant)
    response = client.post(
        _post_url("portal", application), {"body": "Where is my file?", "files": [pdf_upload()]}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#thread")
    message = Message.objects.get()
    assert (message.author, message.body) == (applicant, "Where is my file?")
    assert message.attachments.count() == 1


def test_backoffice_message_post_agent_shown_to_applicant(client, application, agent, applicant):
    client.force_login(agent)
    client.post(_post_url("backoffice", application), {"body": "Please call us."})
    client.force_login(applicant)
    response = client.get(_portal(application), **EN)
    assert "Please call us." in response.content.decode()
    assert "1 new message" in response.content.decode()


def test_portal_message_post_mandated_helper_stored(client, application, mandated_helper):
    client.force_login(mandated_helper)
    client.post(_post_url("portal", application), {"body": "For her"})
    assert Message.objects.get().author == mandated_helper


def test_portal_message_post_nul_character_refused(client, application, applicant):
    client.force_login(applicant)
    response = client.post(_post_url("portal", application), {"body": "a\x00b"})
    assert response.status_code == 302
    assert not Message.objects.exists()


def test_portal_message_post_over_rate_limit_answers_429(client, application, applicant, settings):
    settings.MESSAGE_POST_RATE_LIMIT = 2
    client.force_login(applicant)
    for _ in range(2):
        client.post(_post_url("portal", application), {"body": "Hello"})
    response = client.post(_post_url("portal", application), {"body": "Hello"})
    assert response.status_code == 429
    assert Message.objects.count() == 2


# --- Pages: the thread, the correction line, unread counts ---------------------------------------


def test_portal_detail_says_a_message_is_not_a_correction(client, application, applicant):
    client.force_login(applicant)
    response = client.get(_portal(application), **EN)
    assert "A message is a conversation" in response.content.decode()


def test_backoffice_detail_says_a_message_is_not_a_correction(client, application, agent):
    client.force_login(agent)
    response = client.get(_backoffice(application), **EN)
    assert "a message does not replace it" in response.content.decode()


def test_backoffice_detail_unread_count_then_marked_read(client, application, applicant, agent):
    message_post(application=application, actor=applicant, body="One")
    message_post(application=application, actor=applicant, body="Two")
    client.force_login(agent)
    first = client.get(_backoffice(application), **EN).content.decode()
    assert "2 unread messages" in first
    second = client.get(_backoffice(application), **EN).content.decode()
    assert "unread message" not in second
    assert "One" in second and "Two" in second


def test_portal_home_badge_counts_new_messages(client, application, applicant, agent):
    message_post(application=application, actor=agent, body="One")
    message_post(application=application, actor=agent, body="Two")
    client.force_login(applicant)
    assert "2 new messages" in client.get(reverse("portal:home"), **EN).content.decode()
    client.get(_portal(application))  # reading the thread
    assert "new message" not in client.get(reverse("portal:home"), **EN).content.decode()


def test_portal_detail_helper_reading_keeps_person_badge(
    client, application, applicant, agent, mandated_helper
):
    message_post(application=application, actor=agent, body="One")
    client.force_login(mandated_helper)
    client.get(_portal(application))
    client.force_login(applicant)
    assert "1 new message" in client.get(reverse("portal:home"), **EN).content.decode()


def test_backoffice_timeline_neutral_text(client, application, applicant, agent):
    message_post(application=application, actor=applicant, body="Secret detail")
    client.force_login(agent)
    response = client.get(_backoffice(application), **EN)
    assert "Message received." in response.content.decode()


# --- Files ---------------------------------------------------------------------------------------


def test_portal_message_attachment_owner_downloads(client, application, applicant, attachment):
    client.force_login(applicant)
    response = client.get(_file_url("portal", application, attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response.close()


def test_backoffice_message_attachment_agent_downloads(client, application, agent, attachment):
    client.force_login(agent)
    response = client.get(_file_url("backoffice", application, attachment))
    response.close()
    assert response.status_code == 200


# --- Attacks -------------------------------------------------------------------------------------


def test_portal_message_post_other_applicant_not_found(client, application):
    client.force_login(ApplicantProfileFactory().user)
    response = client.post(_post_url("portal", application), {"body": "Hi"})
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_portal_detail_other_applicant_never_reads_thread(client, application, applicant):
    message_post(application=application, actor=applicant, body="Private words")
    client.force_login(ApplicantProfileFactory().user)
    response = client.get(_portal(application))
    assert response.status_code == 404
    assert b"Private words" not in response.content


def test_portal_message_attachment_other_applicant_not_found(client, application, attachment):
    client.force_login(ApplicantProfileFactory().user)
    assert client.get(_file_url("portal", application, attachment)).status_code == 404


def test_portal_message_post_helper_without_mandate_not_found(client, application, helper):
    client.force_login(helper)
    assert client.post(_post_url("portal", application), {"body": "Hi"}).status_code == 404
    assert not Message.objects.exists()


def test_portal_message_attachment_helper_without_mandate_not_found(
    client, application, helper, attachment
):
    client.force_login(helper)
    assert client.get(_file_url("portal", application, attachment)).status_code == 404


def test_backoffice_message_post_other_prefecture_not_found(client, application, other_agent):
    client.force_login(other_agent)
    assert client.post(_post_url("backoffice", application), {"body": "Hi"}).status_code == 404
    assert not Message.objects.exists()


def test_backoffice_message_attachment_other_prefecture_not_found(
    client, application, other_agent, attachment
):
    client.force_login(other_agent)
    assert client.get(_file_url("backoffice", application, attachment)).status_code == 404


@pytest.mark.parametrize("namespace", ["portal", "backoffice"])
def test_message_attachment_contact_centre_refused(
    client, application, contact_centre, attachment, namespace
):
    client.force_login(contact_centre)
    response = client.get(_file_url(namespace, application, attachment))
    assert response.status_code in (403, 404)
    assert not hasattr(response, "streaming_content")


def test_portal_message_attachment_forged_id_of_other_dossier_not_found(
    client, application, applicant, paris
):
    """The applicant's own dossier in the address, the id of a file of someone else's."""
    other = ApplicationFactory(
        applicant=ApplicantProfileFactory().user, prefecture=paris, status="submitted"
    )
    foreign = message_post(
        application=other, actor=other.applicant, body="x", attachments=[pdf_upload()]
    ).attachments.get()
    client.force_login(applicant)
    assert client.get(_file_url("portal", application, foreign)).status_code == 404


def test_backoffice_message_attachment_forged_id_of_other_prefecture_not_found(
    client, application, agent, other_agent
):
    """The agent's own dossier in the address, the id of a file of another prefecture's."""
    lyon_dossier = ApplicationFactory(
        applicant=ApplicantProfileFactory(postal_code="69001").user,
        prefecture=other_agent.prefecture,
        status="submitted",
    )
    foreign = message_post(
        application=lyon_dossier,
        actor=lyon_dossier.applicant,
        body="x",
        attachments=[pdf_upload()],
    ).attachments.get()
    client.force_login(agent)
    assert client.get(_file_url("backoffice", application, foreign)).status_code == 404


@pytest.mark.django_db(transaction=True)  # the page cache keeps only committed pages
def test_backoffice_queue_row_shows_new_messages_until_an_agent_reads_them(
    client, application, applicant, agent
):
    """The queue keeps its rows in the page cache: a message and its reading both refresh the
    dossier's row."""
    client.force_login(agent)
    queue = reverse("backoffice:home")
    assert "new message" not in client.get(queue, **EN).content.decode()  # row kept from here
    message_post(application=application, actor=applicant, body="One")
    message_post(application=application, actor=applicant, body="Two")
    assert "2 new messages" in client.get(queue, **EN).content.decode()
    client.get(_backoffice(application))  # an agent reads the thread
    assert "new message" not in client.get(queue, **EN).content.decode()


def test_backoffice_queue_row_agent_messages_are_not_new(client, application, agent):
    message_post(application=application, actor=agent, body="From us")
    client.force_login(agent)
    assert "new message" not in client.get(reverse("backoffice:home"), **EN).content.decode()
