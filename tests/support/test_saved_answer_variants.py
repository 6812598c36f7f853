"""Issue 21: a saved answer holds one variant per language; the console offers the ticket's
language (the person's), else French with a visible note."""

import pytest
from django.urls import reverse

from support import rules
from tests.accounts.factories import ApplicantFactory
from tests.support.factories import SavedAnswerFactory, web_ticket

pytestmark = pytest.mark.django_db


def test_saved_answer_variant_arabic_written_gives_arabic():
    variant = rules.saved_answer_variant({"fr": "Bonjour", "ar": "مرحبا"}, "ar")
    assert (variant.language, variant.text, variant.fell_back) == ("ar", "مرحبا", False)


def test_saved_answer_variant_missing_language_falls_back_to_french():
    variant = rules.saved_answer_variant({"fr": "Bonjour", "en": "  ", "ar": ""}, "en")
    assert (variant.language, variant.text, variant.fell_back) == ("fr", "Bonjour", True)


def test_saved_answer_variant_unknown_language_gives_french_without_note():
    variant = rules.saved_answer_variant({"fr": "Bonjour", "en": "Hello"}, "de")
    assert (variant.language, variant.fell_back) == ("fr", False)


def _portal_ticket(language):
    from support import services

    person = ApplicantFactory(preferred_language=language)
    ticket, _token = services.ticket_open_from_portal(
        actor=person, category="other", body="Where is my card?"
    )
    return ticket


def test_console_saved_answer_in_person_language_prefills_arabic(client, agent):
    answer = SavedAnswerFactory(body_ar="مرحبا، هذا ما يمكنكم فعله.")
    ticket = _portal_ticket("ar")
    client.force_login(agent)
    url = reverse("support_console:ticket_detail", args=[ticket.number])
    response = client.get(f"{url}?answer={answer.pk}")
    assert response.context["reply_form"].initial["message"] == answer.body_ar
    assert b"saved-answer-fallback" not in response.content


def test_console_saved_answer_without_arabic_shows_french_and_a_note(client, agent):
    answer = SavedAnswerFactory(body_ar="")
    ticket = _portal_ticket("ar")
    client.force_login(agent)
    url = reverse("support_console:ticket_detail", args=[ticket.number])
    response = client.get(f"{url}?answer={answer.pk}")
    assert response.context["reply_form"].initial["message"] == answer.body_fr
    assert b"saved-answer-fallback" in response.content


def test_console_saved_answer_contact_form_ticket_uses_french(client, agent):
    answer = SavedAnswerFactory()
    ticket, _token = web_ticket()
    client.force_login(agent)
    url = reverse("support_console:ticket_detail", args=[ticket.number])
    response = client.get(f"{url}?answer={answer.pk}")
    assert response.context["reply_form"].initial["message"] == answer.body_fr
