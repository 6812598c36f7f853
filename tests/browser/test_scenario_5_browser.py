"""Scenario 5 of DESIGN.md §7 in a real Chromium: someone who cannot create an account writes
to the contact centre from a phone, with no account; a contact-centre agent confirms the
technical impossibility; the person's private link shows the written acknowledgement and
books the appointment."""

import pytest
from django.urls import reverse

from anef.demo import DEMO_DOMAIN
from support.models import Ticket
from tests.applications.factories import PNG_BYTES
from tests.browser.conftest import DESKTOP
from tests.browser.helpers import check_page, sign_in

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_browser_scenario_5_blocked_person_gets_the_written_acknowledgement(
    demo, open_page, language
):
    email = f"awa.traore.{language}@example.org"
    person = open_page(language)
    person.goto(demo + reverse("support_public:contact"))
    check_page(person, f"contact-form-{language}")
    person.fill("input[name=name]", "Awa Traoré")
    person.fill("input[name=email]", email)
    person.fill("input[name=postal_code]", "75018")
    person.select_option("select[name=category]", "cannot_create_account")
    person.fill(
        "textarea[name=message]",
        "La création du compte échoue toujours : « erreur technique », trois jours de suite.",
    )
    person.set_input_files(
        "input[name=screenshot]",
        files=[{"name": "capture.png", "mimeType": "image/png", "buffer": PNG_BYTES}],
    )
    person.locator("main form button[type=submit]").click()
    person.wait_for_load_state()
    check_page(person, f"contact-sent-{language}")
    follow_up = person.get_attribute("#follow-up-link", "href")
    number = Ticket.objects.get(email=email).number
    assert number in person.inner_text("main")  # the person is given the ticket number

    agent = open_page(language, DESKTOP)  # the staff's pages are checked in each language too
    sign_in(agent, demo, f"contact@{DEMO_DOMAIN}")
    agent.goto(demo + reverse("support_console:home") + f"?search={number}")
    check_page(agent, f"support-console-search-{language}")
    agent.goto(demo + reverse("support_console:ticket_detail", args=[number]))
    check_page(agent, f"support-ticket-{language}")
    agent.fill("input[name=last_name]", "Traoré")
    agent.fill("input[name=first_name]", "Awa")
    agent.fill(
        "textarea[name=blocking_description]",
        "Création de compte impossible : erreur technique à chaque essai depuis trois jours.",
    )
    agent.click("form[action$='technical-impossibility/'] button[type=submit]")
    agent.wait_for_load_state()

    person.goto(follow_up)
    check_page(person, f"follow-up-acknowledgement-{language}")
    with person.expect_download() as download:
        person.click("#acknowledgement a[href$='acknowledgement.pdf']")
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # From the same page, the person books the appointment of the substitution case.
    person.click("#acknowledgement a[href*='/substitution/']")
    person.wait_for_load_state()
    check_page(person, f"substitution-case-{language}")
    person.locator("main form input[type=radio]").first.check(force=True)
    with person.expect_navigation():
        person.locator("main form:has(input[type=radio]) button[type=submit]").click()
    check_page(person, f"substitution-appointment-booked-{language}")
    case = Ticket.objects.get(email=email).substitution_case
    assert case.appointments.filter(cancelled_at__isnull=True).exists()
