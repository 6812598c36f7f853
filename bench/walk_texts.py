"""Issue 21's "Done when", walked in a browser: a person signs up with a phone and chooses text
messages only; her space asks her to prove the number (one button sends the code); she files a
first application and receives "a document is ready" by text; on a second application three
refused uploads offer an appointment, she books a late slot and joins the waiting list; an agent
frees an earlier slot and she receives it by text, takes it from the text's link, gets the new
booking's text and cancels it with one click from that text; the first text's link then says
where the new appointment is; she books a callback and the contact centre sees it in its queue.

Not a test: run it on demand against `make run` whose console output goes to a file (the texts
and e-mails of the console backends are read there):

    ANEF_PORT=8100 make run > /tmp/run.log 2>&1 &
    .venv/bin/python bench/walk_texts.py --base-url http://127.0.0.1:8100 --log /tmp/run.log \
        --language ar

It saves full-page PNGs (390 px; 1366 px for the staff) into --out/<language>/ and prints each
text received. Debian's Chromium (/usr/bin/chromium); the demo's Seine-Saint-Denis agent and
contact centre (password of anef.demo). Each run signs up a new person.
"""

import argparse
import os
import re
import time

from playwright.sync_api import sync_playwright

DEMO_PASSWORD = "demo-anef-2026"  # noqa: S105 - anef.demo's, printed on purpose
PASSWORD = "Un-mot-de-passe-solide-2026"  # noqa: S105 - the walked person's, made up here
SCAN = "var/walk-scan.png"

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--base-url", default="http://127.0.0.1:8000")
parser.add_argument("--log", required=True, help="the file make run's console output goes to")
parser.add_argument("--language", choices=("fr", "en", "ar"), default="fr")
parser.add_argument("--out", default="var/screenshots/walk-texts")
parser.add_argument("--chromium", default="/usr/bin/chromium")
args = parser.parse_args()

BASE = args.base_url.rstrip("/")
LANG = args.language
OUT = os.path.join(args.out, LANG)
os.makedirs(OUT, exist_ok=True)
EMAIL = f"mariama.bah.{LANG}.{int(time.time()) % 100000}@example.org"
DIGIT = {"fr": "1", "en": "2", "ar": "3"}[LANG]
PHONE = "06 12 34 56 7" + DIGIT
E164 = "+3361234567" + DIGIT
LOG = args.log
n = [0]


def shot(page, name):
    n[0] += 1
    page.screenshot(path=f"{OUT}/{n[0]:02d}-{name}.png", full_page=True)


def log():
    with open(LOG, errors="replace") as handle:
        return handle.read()


def texts():
    return re.findall(r"to: " + re.escape(E164) + r"\n[^|]*\| ([^\n]*)", log())


def wait_text(pattern, before, timeout=60):
    for _ in range(timeout):
        found = [t for t in texts()[before:] if re.search(pattern, t)]
        if found:
            return found[-1]
        time.sleep(1)
    raise SystemExit(f"no text matching {pattern!r} within {timeout} s")


def say(*parts):
    print(f"[{LANG}]", *parts, flush=True)


def scan_image():
    from PIL import Image, ImageDraw

    os.makedirs(os.path.dirname(SCAN), exist_ok=True)
    image = Image.new("RGB", (800, 1100), "white")
    ImageDraw.Draw(image).text((50, 50), "Document scan", fill="black")
    image.save(SCAN)


def new_page(browser, width: int = 390):
    """A page of its own (its own cookies: another person, or the same one on her phone)."""
    return browser.new_context(
        locale=LANG,
        viewport={"width": width, "height": 844 if width < 1000 else 900},
        extra_http_headers={"accept-language": LANG},
    ).new_page()


def sign_in(page, email: str, password: str) -> None:
    """On the sign-in page (opened here unless the page already shows it)."""
    if "/accounts/login/" not in page.url:
        page.goto(BASE + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator('form[action="/accounts/login/"] button[type=submit]').click()


scan_image()

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=args.chromium)
    page = new_page(browser)
    # 1. Sign up with a phone, texts only
    page.goto(BASE + "/accounts/signup/")
    for sel, val in [
        ("#id_email", EMAIL),
        ("#id_password1", PASSWORD),
        ("#id_password2", PASSWORD),
        ("#id_first_name", "Mariama"),
        ("#id_last_name", "Bah"),
        ("#id_birth_date", "1990-03-14"),
        ("#id_nationality", "guinéenne"),
        ("#id_address_line", "12 rue de Paris"),
        ("#id_postal_code", "93200"),
        ("#id_city", "Saint-Denis"),
        ("#id_phone_number", PHONE),
    ]:
        page.fill(sel, val)
    page.check("#id_contact_channels_1", force=True)
    shot(page, "signup-texts-only")
    with page.expect_navigation():
        page.locator("form:has(#id_email) button[type=submit]").last.click()
    for _ in range(90):
        if "To: " + EMAIL in log():
            break
        time.sleep(1)
    time.sleep(1)
    link = re.search(
        re.escape(BASE) + r"/accounts/confirm-email/\S+/", log().split("To: " + EMAIL)[-1]
    ).group(0)
    page.goto(link)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    sign_in(page, EMAIL, PASSWORD)  # the confirmation lands on the sign-in page
    banner = page.locator("#phone-proof")
    say("banner visible:", banner.is_visible())
    shot(page, "dashboard-banner")
    before = len(texts())
    with page.expect_navigation():
        banner.locator("button[type=submit]").click()
    code = re.search(r"\b(\d{6})\b", wait_text(r"\d{6}", before)).group(1)
    shot(page, "code-page")
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.locator("main form:has(input[name=code]) button[type=submit]").first.click()
    shot(page, "number-proven")
    page.goto(BASE + "/portal/")
    say("banner after proof:", page.locator("#phone-proof").count())
    # 2. File a first application (student)
    page.goto(BASE + "/portal/applications/new/student/")
    page.locator("main form input[type=radio]").first.check(force=True)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    draft = page.url
    for _ in range(10):
        forms = page.locator("form[data-upload]:visible")
        if forms.count() == 0:
            break
        form = forms.first
        form.locator("input[type=file][multiple]").set_input_files(SCAN)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
    shot(page, "documents-given")
    before = len(texts())
    with page.expect_navigation():
        page.locator("form[action$='/submit/'] button[type=submit]").first.click()
    shot(page, "filed")
    ready = wait_text(r"/portal/", before, timeout=90)
    say("TEXT attestation ready:", ready)
    emails_to_her = log().count("To: " + EMAIL)
    say("e-mails to her so far (confirmation only expected):", emails_to_her)
    # 3. A second application: three refused uploads -> an appointment
    page.goto(BASE + "/portal/applications/new/salaried_worker/")
    page.locator("main form input[type=radio]").first.check(force=True)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    for attempt in range(3):
        page.locator("form[data-upload]:visible input[type=file][multiple]").first.set_input_files(
            files=[{"name": f"scan-{attempt}.txt", "mimeType": "text/plain", "buffer": b"x"}]
        )
        with page.expect_navigation():
            page.locator("form[data-upload]:visible button[type=submit]").first.click()
    offer = page.locator("#substitution-offer")
    radios = offer.locator("input[type=radio]")
    radios.nth(radios.count() - 1).check(force=True)
    before = len(texts())
    with page.expect_navigation():
        offer.locator("button[type=submit]").click()
    case_url = page.url
    first_text = wait_text(r"/r/", before)
    say("TEXT booked:", first_text)
    with page.expect_navigation():
        page.locator("form[action$='/waitlist/'] button[type=submit]").first.click()
    shot(page, "booked-and-waiting")
    say(
        "waitlist says:",
        re.findall(r"[^.]*(?:SMS|text message|رسالة نصية)[^.]*\.", page.inner_text("main"))[:1],
    )
    # 4. The agent frees an earlier slot
    agent = new_page(browser, 1366)
    sign_in(agent, "agent.seine-saint-denis@anef.example", DEMO_PASSWORD)
    agent.goto(BASE + "/agents/substitution/")
    refs = [
        a.inner_text() for a in agent.locator("main a[href*='/agents/substitution/cases/']").all()
    ]
    other = next(r for r in refs if r not in case_url)
    agent.goto(BASE + f"/agents/substitution/cases/{other}/")
    form = agent.locator("main form[action$='/book/']")
    form.locator("input[type=radio]").first.check(force=True)
    with agent.expect_navigation():
        form.locator("button[type=submit]").click()
    before = len(texts())
    with agent.expect_navigation():
        agent.locator(
            "main form[action*='/appointments/'][action$='/cancel/'] button[type=submit]"
        ).click()
    offer_text = wait_text(r"/o/", before)
    say("TEXT earlier slot:", offer_text)
    # 5. She takes it from the text, on her phone
    phone = new_page(browser)
    phone.goto(re.search(r"(http\S+)", offer_text).group(1))
    shot(phone, "offer-from-text")
    before = len(texts())
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").first.click()
    shot(phone, "offer-taken")
    new_text = wait_text(r"/r/", before)
    say("TEXT new booking:", new_text)
    # 6. The first text's link now says where the new appointment is
    phone.goto(re.search(r"(http\S+)", first_text).group(1))
    shot(phone, "old-link-replaced")
    say("old link:", phone.inner_text("main")[:120].replace("\n", " | "))
    # 7. Cancel with one click from the new text
    phone.goto(re.search(r"(http\S+)", new_text).group(1))
    shot(phone, "cancel-from-text")
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").first.click()
    shot(phone, "cancelled")
    say("cancelled:", phone.inner_text("main")[:160].replace("\n", " | "))
    # 8. A callback
    page.goto(BASE + "/portal/tickets/new/")
    page.select_option("#id_category", "other")
    page.fill("#id_message", "Je préfère qu'on m'appelle.")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    page.locator("main a[href$='/callback/']").first.click()
    page.wait_for_load_state()
    # The last time offered: earlier runs may have filled the first ones (2 calls a slot).
    slots = page.locator("main form select").first
    slots.select_option(index=slots.locator("option").count() - 1)
    before = len(texts())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    shot(page, "callback-booked")
    say("TEXT callback:", wait_text(r"", before))
    say("e-mails to her in all:", log().count("To: " + EMAIL))
    # 9. The contact centre works the callback queue
    cc = new_page(browser, 1366)
    sign_in(cc, "contact@anef.example", DEMO_PASSWORD)
    cc.goto(BASE + "/support/callbacks/")
    shot(cc, "console-callbacks")
    say("console:", cc.inner_text("main")[:300].replace("\n", " | "))
