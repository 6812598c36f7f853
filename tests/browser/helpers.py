"""What every browser test does: sign in, check a page with axe-core, keep a screenshot."""

from axe_playwright_python.sync_playwright import Axe

from anef.demo import DEMO_PASSWORD
from tests.browser.conftest import SCREENSHOTS

BLOCKING_IMPACTS = {"serious", "critical"}
_axe = Axe()


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations of the page, one line each."""
    response = _axe.run(page).response
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def check_page(page, name: str) -> None:
    """Keep a screenshot of what the person sees, then require no serious accessibility fault
    and nothing wider than the screen or than its own box."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    violations = serious_violations(page)
    assert violations == [], f"{name}: {page.url}: {violations}"
    overflowing = overflowing_elements(page)
    assert horizontal_overflow(page) == 0, (
        f"{name}: {page.url} is wider than the screen: {overflowing}"
    )
    assert overflowing == [], f"{name}: {page.url} has elements out of their box: {overflowing}"


def horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the window (0: nothing to scroll sideways). A
    right-to-left page with an element placed far to the left was 10,360 px wide on a phone."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


# Issue 18: the page itself was no wider than the phone, yet the mandates table was 129 to
# 141 px wider than its box (its cells ran out of the window, the table scrolling inside the
# page). Two faults are looked for in every element a person can see:
# - its box reaches past the window's left or right edge (whatever scrolls or clips it);
# - it does not scroll (overflow-x visible, hidden or clip) and its content is wider than it
#   (scrollWidth > clientWidth: the part past its end edge, the left one in Arabic).
# Left alone, as the DSFR draws them so on purpose:
# - texts for screen readers only (clipped to nothing, .fr-sr-only) and hidden elements;
# - what a negative inline margin pulls out of its parent by that margin (the gutters of the
#   DSFR's grids, fieldsets, button and badge groups: their padding takes it back);
# - the DSFR's icon-only buttons, whose text is cut on purpose and given as a title.
OVERFLOWING = r"""(tolerance) => {
  const width = document.documentElement.clientWidth;
  const unseen = (element) => {
    // Inside a closed <details> (but its <summary>): not drawn, its width means nothing.
    const folded = element.closest("details:not([open])");
    if (folded && !element.closest("summary")) return true;
    for (let node = element; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.display === "none" || style.visibility === "hidden") return true;
      if (style.clip === "rect(0px, 0px, 0px, 0px)" || style.clipPath === "inset(50%)") return true;
    }
    return false;
  };
  const pulledOut = (element) => {
    const style = getComputedStyle(element);
    return Math.max(0, -parseFloat(style.marginLeft), -parseFloat(style.marginRight));
  };
  const pulledOutInside = (element) =>
    Math.max(0, ...[...element.querySelectorAll("*")].map(pulledOut));
  const iconOnly = (element, style) =>
    element.classList.contains("fr-btn") && element.title && style.overflowX !== "visible";
  const describe = (element, what) => {
    const id = element.id ? `#${element.id}` : "";
    const classes = [...element.classList].slice(0, 2).map((name) => `.${name}`).join("");
    const text = (element.innerText || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return `<${element.tagName.toLowerCase()}${id}${classes}> ${what}: ${JSON.stringify(text)}`;
  };
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(element);
    const beyond = Math.max(box.right - width, -box.left);
    const clipsOrShows = ["visible", "hidden", "clip"].includes(style.overflowX)
      && !["inline", "contents"].includes(style.display);
    const spill = clipsOrShows ? element.scrollWidth - element.clientWidth : 0;
    if (beyond <= tolerance && spill <= tolerance) continue;
    if (unseen(element)) continue;
    if (beyond > pulledOut(element) + tolerance) {
      found.push(describe(element, `${Math.round(beyond)} px out of the window`));
    } else if (spill > pulledOutInside(element) + tolerance && !iconOnly(element, style)) {
      found.push(describe(element, `content ${spill} px wider than its box`));
    }
  }
  return found;
}"""


def overflowing_elements(page, tolerance: int = 1) -> list[str]:
    """The elements out of the window or whose content is wider than their box, one line each
    (a pixel of tolerance for the rounding of fractional widths)."""
    return page.evaluate(OVERFLOWING, tolerance)
