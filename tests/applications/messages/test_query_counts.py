"""Constant SQL for a dossier page whatever the length of its thread (tests/test_query_counts.py
style): the page is loaded once, then with 5 messages, then with 50, each with a file and some
unread; both counts are equal and under a ceiling."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from applications.messages.models import Message, MessageAttachment, MessageSide
from tests.applications.factories import PDF_BYTES

pytestmark = pytest.mark.django_db

SHORT, LONG = 5, 50
# The portal's dossier page (19 today): its own reads, the other apps' panels (the appointment
# booking's four, the automatic inquiry's one), and the thread's three (messages, their files,
# marking read); the back office's (24) has more panels. What matters is that neither grows.
PORTAL_MAX_QUERIES = 19
BACKOFFICE_MAX_QUERIES = 27


def _thread_of(application, author_by_side: dict, until: int) -> None:
    """Messages up to `until` in all, alternating sides, each with a file; none read."""
    for index in range(application.messages.count(), until):
        side = MessageSide.APPLICANT if index % 2 else MessageSide.PREFECTURE
        message = Message.objects.create(
            application=application, side=side, author=author_by_side[side], body=f"n°{index}"
        )
        attachment = MessageAttachment(
            message=message,
            original_name=f"proof-{index}.pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
            sha256="0" * 64,
        )
        attachment.file.save("proof.pdf", ContentFile(PDF_BYTES), save=True)


def _count(client: Client, url: str, django_assert_max_num_queries, ceiling: int) -> int:
    with django_assert_max_num_queries(ceiling) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("viewer", "url_name", "ceiling"),
    [
        ("applicant", "portal:application_detail", PORTAL_MAX_QUERIES),
        ("agent", "backoffice:application_detail", BACKOFFICE_MAX_QUERIES),
    ],
)
def test_query_counts_dossier_page_does_not_grow_with_thread(
    application, applicant, agent, viewer, url_name, ceiling, django_assert_max_num_queries
):
    authors = {MessageSide.APPLICANT: applicant, MessageSide.PREFECTURE: agent}
    client = Client(headers={"accept-language": "en"})
    client.force_login({"applicant": applicant, "agent": agent}[viewer])
    url = reverse(url_name, kwargs={"reference": application.reference})
    client.get(url)  # caches filled on a first visit are not growth
    _thread_of(application, authors, SHORT)
    short = _count(client, url, django_assert_max_num_queries, ceiling)
    _thread_of(application, authors, LONG)
    long = _count(client, url, django_assert_max_num_queries, ceiling)
    assert short == long
