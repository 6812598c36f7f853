"""The accessibility statement (loi n° 2005-102, art. 47) and its feedback channel: a public
page with the conformity status, and a report that becomes a contact-centre ticket."""

import pytest
from django.urls import reverse
from django.utils import translation

from support.enums import TicketCategory
from support.models import Ticket
from tests.accounts.factories import ContactCentreAgentFactory
from tests.support.factories import contact_form_data

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
STATEMENT = "/accessibility/"
CONTACT = "/contact/"


def _contact_form(**overrides):
    return contact_form_data(
        category="accessibility",
        message="The upload button cannot be reached with the keyboard.",
        **overrides,
    )


def test_pages_accessibility_statement_is_at_its_url():
    assert reverse("accessibility_statement") == STATEMENT


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_pages_accessibility_statement_anonymous_shows_conformity_status(client, language):
    response = client.get(STATEMENT, headers={"accept-language": language})
    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.text
    with translation.override(language):
        status = translation.gettext("Non-compliant")
    assert (
        f'<p id="conformity-status"><span class="fr-badge fr-badge--warning">{status}</span></p>'
        in response.text
    )


def test_pages_accessibility_statement_names_the_operator_and_the_law(client, settings):
    response = client.get(STATEMENT, headers=EN)
    assert settings.PORTAL_OPERATOR_NAME in response.text
    assert "article 47 of law no. 2005-102" in response.text
    assert "no accessibility audit has been carried out yet" in response.text


def test_pages_accessibility_statement_gives_its_date(client):
    response = client.get(STATEMENT, headers=EN)
    assert '<time datetime="2026-11-28">' in response.text


def test_pages_accessibility_statement_offers_the_report_form(client):
    response = client.get(STATEMENT, headers=EN)
    assert f'href="{CONTACT}?category=accessibility"' in response.text
    assert "Report an accessibility problem" in response.text


def test_pages_accessibility_statement_button_opens_the_accessibility_category(client):
    """The statement's own button (not only the footer's link): support passes the category in
    (support/urls_pages.py), anef's page knows nothing of tickets."""
    response = client.get(STATEMENT, headers=EN)
    assert response.context["report_category"] == TicketCategory.ACCESSIBILITY
    assert (
        f'id="report-accessibility-problem" href="{CONTACT}?category=accessibility"'
        in response.text
    )


def test_pages_accessibility_statement_gives_other_ways_to_reach_a_person(client, settings):
    response = client.get(STATEMENT, headers=EN)
    assert f'href="tel:{settings.CONTACT_PHONE}"' in response.text
    assert f'href="mailto:{settings.CONTACT_EMAIL}"' in response.text


def test_pages_accessibility_statement_gives_the_recourse_to_the_defenseur_des_droits(client):
    response = client.get(STATEMENT, headers=EN)
    assert 'href="https://formulaire.defenseurdesdroits.fr/"' in response.text
    assert "Libre réponse 71120<br>75342 Paris CEDEX 07" in response.text


def test_pages_footer_links_to_the_accessibility_statement(client):
    response = client.get(reverse("home"), headers=EN)
    assert f'href="{STATEMENT}">Accessibility: non-compliant</a>' in response.text
    assert f'href="{CONTACT}?category=accessibility">Report an accessibility' in response.text


def test_views_contact_form_preselects_the_category_from_the_query(client):
    response = client.get(CONTACT, {"category": "accessibility"}, headers=EN)
    assert response.status_code == 200
    assert response.context["form"]["category"].value() == "accessibility"
    assert '<option value="accessibility" selected>' in response.text


def test_views_contact_form_ignores_an_unknown_category_in_the_query(client):
    response = client.get(CONTACT, {"category": "no-such-thing"}, headers=EN)
    assert response.status_code == 200
    assert response.context["form"]["category"].value() is None
    assert "selected>" not in response.text.split('name="category"')[1].split("</select>")[0]


def test_views_contact_form_post_accessibility_creates_a_ticket_of_that_category(client):
    response = client.post(CONTACT, _contact_form(), headers=EN)
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.category == TicketCategory.ACCESSIBILITY
    assert ticket.channel == "web_form"


def test_views_console_queues_include_accessibility_tickets(client):
    client.post(CONTACT, _contact_form(), headers=EN)
    client.force_login(ContactCentreAgentFactory())
    response = client.get(reverse("support_console:home"), {"category": "accessibility"})
    assert response.status_code == 200
    figure = next(
        figure for figure in response.context["figures"] if figure.category == "accessibility"
    )
    assert figure.open == 1
    assert [ticket.category for ticket, _late in response.context["rows"]] == ["accessibility"]
