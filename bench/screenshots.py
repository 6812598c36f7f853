"""The screenshot set of issue 18's "Done when". Not a test: run it on demand against a running
portal with the demo data (`make run`), from the same shell environment as that portal (the same
DATABASE_URL, or none for the embedded SQLite), so that its management-shell queries read the
portal's database:

    .venv/bin/python bench/screenshots.py --base-url http://127.0.0.1:8000

It signs in as the demo people (password of anef.demo) in Debian's Chromium, saves full-page PNGs
into var/screenshots/<date>/ — at 360 px in fr/en/ar: home, contact form, dashboard, dossier,
verification of a valid, a not-yet-valid and a replaced attestation, appointment confirmation;
at 1366 px: the agents' queue and dossier, and the at-risk dashboard as the Paris agent, the
Seine-Saint-Denis supervisor (with her prefecture's counts) and the administrator (every
prefecture's counts, issue 16) — and prints, for each, how many pixels the page is
wider than the window (`scrollWidth - clientWidth`, 0 expected). Exit status 0 unless a page
could not be reached at all. See bench/README.md ("Screenshots") for what it changes in the data.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo-anef-2026"  # noqa: S105 - anef.demo's, printed on purpose
DEMO_DOMAIN = "anef.example"
APPLICANT = f"amina.diallo@{DEMO_DOMAIN}"  # scenario 1: renewal, API not valid yet
UPLOADER = f"oleksandr.petrenko@{DEMO_DOMAIN}"  # scenario 6: substitution offered
AGENT = f"agent.paris@{DEMO_DOMAIN}"
SUPERVISOR = f"supervisor.seine-saint-denis@{DEMO_DOMAIN}"  # issue 16: the at-risk counts
ADMINISTRATOR = f"admin@{DEMO_DOMAIN}"  # issue 16: every prefecture's at-risk counts
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1366, "height": 900}
LANGUAGES = ("fr", "en", "ar")

# Run by `manage.py shell -c`: the demo's numbers and addresses, as JSON on the last line.
FIND = r"""
import json
from django.urls import reverse
from applications.models import Application
from attestations.models import Attestation
from attestations.verification import verification_facts_for

found = {}
for attestation in Attestation.objects.order_by("-kind", "id"):
    status = verification_facts_for(attestation).status
    key = {"valid": "valid", "not_yet_valid": "not_yet_valid", "superseded": "replaced"}.get(status)
    if key and key not in found:
        found[key] = attestation.number
dossier = Application.objects.filter(applicant__email=%(applicant)r).order_by("id").first()
found["dashboard"] = reverse("portal:home")
found["dossier"] = reverse("portal:application_detail", args=[dossier.reference])
found["queue"] = reverse("backoffice:home")
found["agent_dossier"] = reverse("backoffice:application_detail", args=[dossier.reference])
found["at_risk"] = reverse("attestations_backoffice:at_risk")
found["at_risk_counts"] = reverse("attestations_backoffice:at_risk_counts")
found["at_risk_national"] = reverse("attestations_backoffice:at_risk_national")
found["contact"] = reverse("support_public:contact")
found["substitution"] = reverse("substitution_portal:home")
found["uploader_dossier"] = reverse(
    "portal:application_detail",
    args=[Application.objects.filter(applicant__email=%(uploader)r).order_by("id").first().reference],
)
print(json.dumps(found))
"""

# Run by `--make-replaced` once the not-yet-valid page is taken: a favourable decision on the
# dossier of that API (by the agent of its prefecture) issues the ADF, which replaces the API
# before its first day. This changes the demo data (bench/README.md).
MAKE_REPLACED = r"""
from accounts.models import User
from applications.services.decisions import application_decide_favourable
from attestations.models import Attestation

api = Attestation.objects.get(number=%(number)r)
agent = User.objects.get(email=%(agent)r)
application_decide_favourable(application=api.application, actor=agent)
"""


@dataclass
class Shot:
    name: str
    language: str
    width: int
    status: int | str
    overflow: int | None
    path: Path | None


def manage_shell(code: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed arguments, this project's manage.py
        [sys.executable, str(BASE_DIR / "manage.py"), "shell", "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=BASE_DIR,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py shell failed:\n{result.stderr[-2000:]}")
    return result.stdout


def demo_addresses() -> dict:
    output = manage_shell(FIND % {"applicant": APPLICANT, "uploader": UPLOADER})
    return json.loads(output.strip().splitlines()[-1])


class Camera:
    def __init__(self, browser, base_url: str, out: Path):
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self.out = out
        self.shots: list[Shot] = []

    def page(self, language: str, viewport: dict, email: str | None = None):
        context = self.browser.new_context(locale=language, viewport=viewport)
        context.set_default_timeout(30_000)
        page = context.new_page()
        if email:
            page.goto(f"{self.base_url}/accounts/login/")
            page.fill("input[name=login]", email)
            page.fill("input[name=password]", DEMO_PASSWORD)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
        return page

    def take(self, page, name: str, language: str, path: str | None = None) -> None:
        width = page.viewport_size["width"]
        status: int | str = "-"
        if path is not None:
            try:
                response = page.goto(self.base_url + path)
                status = response.status if response else "?"
            except Exception as error:  # reported in the table; the run goes on
                self.shots.append(Shot(name, language, width, type(error).__name__, None, None))
                return
        page.wait_for_load_state("load")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        target = self.out / f"{name}-{language}-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        self.shots.append(Shot(name, language, width, status, overflow, target))


def book_appointment(camera: Camera, addresses: dict) -> str | None:
    """The address of the scenario-6 person's appointment confirmation: an appointment already
    booked, or one booked now the way the person does it (three refused uploads bring the offer
    of an appointment; the first slot is chosen)."""
    page = camera.page("fr", PHONE, UPLOADER)
    page.goto(camera.base_url + addresses["substitution"])
    booked = page.locator("main a[href*='#confirmation']")
    if booked.count() == 0:
        page.goto(camera.base_url + addresses["uploader_dossier"])
        for attempt in range(3):
            upload = page.locator("form[data-upload]:visible input[type=file][multiple]").first
            upload.set_input_files(
                files=[{"name": f"scan-{attempt}.txt", "mimeType": "text/plain", "buffer": b"x"}]
            )
            with page.expect_navigation():
                page.locator("form[data-upload]:visible button[type=submit]").first.click()
        offer = page.locator("#substitution-offer")
        if offer.count() == 0:
            page.context.close()
            return None
        offer.locator("input[type=radio]").first.check(force=True)
        with page.expect_navigation():
            offer.locator("button[type=submit]").click()
        page.goto(camera.base_url + addresses["substitution"])
    link = booked.first.get_attribute("href") if booked.count() else None
    page.context.close()
    return link


def print_table(shots: list[Shot]) -> None:
    print(f"{'page':<28} {'lang':<4} {'width':>5} {'HTTP':>4} {'overflow':>8}  file")
    for shot in shots:
        overflow = "-" if shot.overflow is None else f"{shot.overflow} px"
        flag = "" if shot.overflow in (0, None) else "  <- WIDER THAN THE WINDOW"
        where = ""
        if shot.path:  # relative to the project when under it (--out may be elsewhere)
            where = (
                shot.path.relative_to(BASE_DIR) if shot.path.is_relative_to(BASE_DIR) else shot.path
            )
        print(
            f"{shot.name:<28} {shot.language:<4} {shot.width:>5} {shot.status!s:>4} "
            f"{overflow:>8}  {where}{flag}"
        )
    wide = [shot for shot in shots if shot.overflow]
    print(f"{len(shots)} screenshots, {len(wide)} wider than their window.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=None, help="default: var/screenshots/<date>")
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    parser.add_argument("--chromium", default=os.environ.get("ANEF_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument(
        "--make-replaced",
        action="store_true",
        help="when the demo has no replaced attestation, make one (changes the demo data)",
    )
    arguments = parser.parse_args()
    languages = [language for language in arguments.languages.split(",") if language]
    out = arguments.out or BASE_DIR / "var" / "screenshots" / datetime.date.today().isoformat()
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    addresses = demo_addresses()
    print(
        f"attestations: valid {addresses.get('valid')}, not yet valid "
        f"{addresses.get('not_yet_valid')}, replaced {addresses.get('replaced')}"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=arguments.chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        camera = Camera(browser, arguments.base_url, out)
        confirmation = book_appointment(camera, addresses)
        for language in languages:
            public = camera.page(language, PHONE)
            camera.take(public, "home", language, "/")
            camera.take(public, "contact-form", language, addresses["contact"])
            for key in ("valid", "not_yet_valid"):
                if addresses.get(key):
                    camera.take(public, f"verify-{key}", language, f"/verify/{addresses[key]}/")
            public.context.close()
            person = camera.page(language, PHONE, APPLICANT)
            camera.take(person, "dashboard", language, addresses["dashboard"])
            camera.take(person, "dossier", language, addresses["dossier"])
            person.context.close()
            if confirmation:
                uploader = camera.page(language, PHONE, UPLOADER)
                camera.take(uploader, "appointment-confirmation", language, confirmation)
                uploader.context.close()
            agent = camera.page(language, DESKTOP, AGENT)
            camera.take(agent, "queue", language, addresses["queue"])
            camera.take(agent, "agent-dossier", language, addresses["agent_dossier"])
            camera.take(agent, "at-risk-paris-agent", language, addresses["at_risk"])
            agent.context.close()
            supervisor = camera.page(language, DESKTOP, SUPERVISOR)
            camera.take(supervisor, "at-risk-supervisor", language, addresses["at_risk"])
            camera.take(
                supervisor, "at-risk-counts-supervisor", language, addresses["at_risk_counts"]
            )
            supervisor.context.close()
            administrator = camera.page(language, DESKTOP, ADMINISTRATOR)
            camera.take(administrator, "at-risk-national", language, addresses["at_risk_national"])
            administrator.context.close()
        if (
            not addresses.get("replaced")
            and arguments.make_replaced
            and addresses.get("not_yet_valid")
        ):
            manage_shell(MAKE_REPLACED % {"number": addresses["not_yet_valid"], "agent": AGENT})
            addresses["replaced"] = addresses["not_yet_valid"]
        for language in languages:
            if addresses.get("replaced"):
                public = camera.page(language, PHONE)
                camera.take(
                    public, "verify-replaced", language, f"/verify/{addresses['replaced']}/"
                )
                public.context.close()
        browser.close()
    if not confirmation:
        print("no appointment confirmation: no booked appointment and no offer to book one")
    if not addresses.get("replaced"):
        print("no replaced attestation in this database: run again with --make-replaced")
    print_table(camera.shots)
    if any(isinstance(shot.status, str) and shot.status != "-" for shot in camera.shots):
        sys.exit(1)


if __name__ == "__main__":
    main()
