"""The renewal reminder in a real Chromium, in French, English and Arabic, axe-checked at each
page (issue 16): the demo's Fatou Ndiaye, whose card ends in 100 days, gets the reminder e-mail
(the test's locmem outbox) in her language, sees the banner on her dashboard, and « renew now »
leads to her renewal with the card chosen; one click starts it with the documents still valid
copied from her last application, listed as copied."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from anef.outbox import outbox_send_due
from applications.models import Application
from applications.reminders.demo import CARD_NUMBER, DEMO_EMAIL
from applications.reminders.services import renewal_reminders_send
from tests.browser.helpers import check_page, sign_in

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_browser_renewal_reminder_banner_email_and_renew_now(demo, open_page, language):
    User.objects.filter(email=DEMO_EMAIL).update(preferred_language=language)
    mail.outbox.clear()
    assert renewal_reminders_send() >= 1
    outbox_send_due()
    [email] = [message for message in mail.outbox if DEMO_EMAIL in message.to]
    assert CARD_NUMBER in email.body
    assert "?permit=" in email.body

    page = open_page(language)
    sign_in(page, demo, DEMO_EMAIL)
    page.goto(demo + reverse("portal:home"))
    banner = page.locator("[id^=renewal-reminder-]")
    assert banner.count() == 1
    assert CARD_NUMBER in banner.inner_text()
    check_page(page, f"renewal-reminder-banner-{language}")

    with page.expect_navigation():
        banner.locator("a.fr-btn").click()
    assert page.locator("input[name=permit]:checked").count() == 1
    check_page(page, f"renewal-reminder-renew-now-{language}")

    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    renewal = Application.objects.get(applicant__email=DEMO_EMAIL, kind="renewal")
    assert renewal.reference in page.url
    assert page.locator("[data-copied]").count() == 1  # her passport; the rest is asked again
    assert page.locator("[data-copied-piece]").is_visible()
    assert page.locator(".fr-alert--info, .fr-notice, [role=status]").count() >= 1
    check_page(page, f"renewal-reminder-copied-{language}")
