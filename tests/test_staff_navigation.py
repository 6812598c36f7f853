"""Issue 18: the staff see a back-office navigation on every page of their consoles (only the
sections their role opens, the current one marked), and never the public "free call" box that
is meant for the people they serve."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import (
    AdministratorFactory,
    ApplicantFactory,
    ContactCentreAgentFactory,
    ContactCentreSupervisorFactory,
    HelperFactory,
    PrefectureAgentFactory,
)
from tests.substitution.factories import DeskFactory

HELP_BOX = 'id="help-title"'
NAV = re.compile(r'<nav class="fr-container anef-staff-nav".*?</nav>', re.DOTALL)


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def nav_links(html: str) -> dict[str, str]:
    """href -> the aria-current value ("" when none) of each link of the staff navigation."""
    found = NAV.search(html)
    if found is None:
        return {}
    link = r'<a class="fr-link" href="([^"]+)"(?: aria-current="([a-z]+)")?>'
    return dict(re.findall(link, found.group(0)))


@pytest.fixture
def agent(reference_data):
    return PrefectureAgentFactory()


def test_staff_nav_agent_queue_lists_the_agent_sections_with_the_queue_current(agent):
    html = signed_in(agent).get(reverse("backoffice:home")).content.decode()
    links = nav_links(html)
    assert links == {
        reverse("backoffice:home"): "page",
        reverse("attestations_backoffice:at_risk"): "",
        reverse("backoffice:statistics"): "",
        reverse("substitution_backoffice:home"): "",
        reverse("substitution_backoffice:home") + "#desks": "",
        reverse("support_backoffice:list"): "",
        reverse("mandates_backoffice:checks"): "",
    }


def test_staff_nav_agent_at_risk_page_marks_at_risk_current(agent):
    html = signed_in(agent).get(reverse("attestations_backoffice:at_risk")).content.decode()
    links = nav_links(html)
    assert links[reverse("attestations_backoffice:at_risk")] == "page"
    assert links[reverse("backoffice:home")] == ""


def test_staff_nav_agent_statistics_page_marks_statistics_current_not_the_queue(agent):
    links = nav_links(signed_in(agent).get(reverse("backoffice:statistics")).content.decode())
    assert links[reverse("backoffice:statistics")] == "page"
    assert links[reverse("backoffice:home")] == ""


def test_staff_nav_agent_desk_day_marks_the_desks_entry_not_substitution(agent):
    desk = DeskFactory(prefecture=agent.prefecture)
    response = signed_in(agent).get(reverse("substitution_backoffice:desk_day", args=[desk.pk]))
    links = nav_links(response.content.decode())
    assert links[reverse("substitution_backoffice:home") + "#desks"] == "true"
    assert links[reverse("substitution_backoffice:home")] == ""


def test_staff_nav_contact_centre_agent_sees_console_entries_only(reference_data):
    html = signed_in(ContactCentreAgentFactory()).get(reverse("support_console:home"))
    links = nav_links(html.content.decode())
    assert links == {
        reverse("support_console:home"): "page",
        reverse("support_console:saved_answers"): "",
    }


def test_staff_nav_supervisor_also_sees_account_recoveries(reference_data):
    html = signed_in(ContactCentreSupervisorFactory()).get(reverse("support_console:recoveries"))
    links = nav_links(html.content.decode())
    assert links[reverse("support_console:recoveries")] == "page"
    assert links[reverse("support_console:home")] == ""


@pytest.mark.parametrize("factory", [ApplicantFactory, HelperFactory])
def test_staff_nav_public_roles_see_no_staff_nav_and_the_help_box(reference_data, factory):
    html = signed_in(factory()).get(reverse("home")).content.decode()
    assert nav_links(html) == {}
    assert HELP_BOX in html
    assert 'href="#help"' in html


def test_staff_nav_anonymous_visitor_sees_the_help_box(reference_data):
    html = Client().get(reverse("home")).content.decode()
    assert HELP_BOX in html


@pytest.mark.parametrize(
    "factory",
    [
        PrefectureAgentFactory,
        ContactCentreAgentFactory,
        ContactCentreSupervisorFactory,
        AdministratorFactory,
    ],
)
def test_staff_nav_staff_never_see_the_free_call_help_box(reference_data, factory):
    html = signed_in(factory()).get(reverse("home")).content.decode()
    assert HELP_BOX not in html
    assert "free call" not in html
    assert 'href="#help"' not in html


def test_staff_nav_agent_queue_has_no_free_call_help_box(agent):
    html = signed_in(agent).get(reverse("backoffice:home")).content.decode()
    assert HELP_BOX not in html
