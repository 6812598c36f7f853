"""Scenarios 6 and 10 of DESIGN.md §7 in a real Chromium, axe-checked at each page:
three refused uploads offer an appointment at once; a helper acts for a person under a mandate
and the person's timeline says who did what."""

import pytest
from django.urls import reverse

from anef.demo import DEMO_DOMAIN
from applications.models import Application
from substitution.models import SubstitutionCase
from tests.browser.helpers import check_page, sign_in

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_browser_scenario_6_three_refused_uploads_offer_an_appointment(demo, open_page, language):
    page = open_page(language)
    email = f"oleksandr.petrenko@{DEMO_DOMAIN}"
    sign_in(page, demo, email)
    application = Application.objects.filter(applicant__email=email).first()
    page.goto(demo + reverse("portal:application_detail", args=[application.reference]))
    for attempt in range(3):
        page.locator("form[data-upload]:visible input[type=file][multiple]").first.set_input_files(
            files=[{"name": f"scan-{attempt}.txt", "mimeType": "text/plain", "buffer": b"x"}]
        )
        with page.expect_navigation():  # the refusal comes back as a new page
            page.locator("form[data-upload]:visible button[type=submit]").first.click()
    offer = page.locator("#substitution-offer")
    assert offer.is_visible()
    check_page(page, f"scenario-6-offer-{language}")
    offer.locator("input[type=radio]").first.check(force=True)
    offer.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert SubstitutionCase.objects.filter(person__email=email).exists()
    check_page(page, f"scenario-6-appointment-{language}")


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_browser_scenario_10_helper_acts_for_a_person(demo, open_page, language):
    helper = open_page(language)
    sign_in(helper, demo, f"claire.martin@{DEMO_DOMAIN}")
    helper.goto(demo + reverse("mandates:helping"))
    check_page(helper, f"scenario-10-people-i-help-{language}")
    helper.locator("form[action*='act-for'] button[type=submit]").first.click()
    helper.wait_for_load_state()
    check_page(helper, f"scenario-10-acting-for-{language}")
    application = Application.objects.get(applicant__email=f"ibrahima.sow@{DEMO_DOMAIN}")
    helper.goto(demo + reverse("portal:application_detail", args=[application.reference]))
    check_page(helper, f"scenario-10-dossier-by-helper-{language}")

    person = open_page(language)
    sign_in(person, demo, f"ibrahima.sow@{DEMO_DOMAIN}")
    person.goto(demo + reverse("portal:application_detail", args=[application.reference]))
    assert "Claire Martin" in person.inner_text("main")
    check_page(person, f"scenario-10-timeline-{language}")
    person.goto(demo + reverse("mandates:mine"))
    check_page(person, f"scenario-10-my-helpers-{language}")
