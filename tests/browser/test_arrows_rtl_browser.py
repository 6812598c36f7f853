"""Arrows point the reading direction (issue 18): the DSFR draws its arrows and chevrons for
left-to-right pages; right to left (Arabic) a « back » arrow must point right and an onward one
left, with the gap between icon and words on the words' side."""

import pytest
from django.urls import reverse

from anef.demo import DEMO_DOMAIN
from tests.browser.helpers import check_page, sign_in

pytestmark = [pytest.mark.browser]

MIRRORED = "matrix(-1, 0, 0, 1, 0, 0)"
PSEUDO_STYLE = """([selector, pseudo]) => {
  const style = getComputedStyle(document.querySelector(selector), pseudo);
  return {transform: style.transform, gapLeft: style.marginLeft, gapRight: style.marginRight};
}"""


def arrows(page, base: str) -> dict:
    """A back link's arrow (drawn before its words: « My space » on the attestations) and an
    onward link's (drawn after them: « See all my attestations » on the person's space)."""
    page.goto(base + reverse("attestations_portal:list"))
    back = page.evaluate(PSEUDO_STYLE, ["main a.fr-icon-arrow-left-line", "::before"])
    page.goto(base + reverse("portal:home"))
    onward = page.evaluate(PSEUDO_STYLE, ["main a.fr-icon-arrow-right-line", "::after"])
    return {"back": back, "onward": onward}


@pytest.mark.parametrize(
    ("language", "transform", "gap_side"),
    [("ar", MIRRORED, "gapLeft"), ("fr", "none", "gapRight")],
)
def test_browser_arrows_point_the_reading_direction(demo, open_page, language, transform, gap_side):
    page = open_page(language)
    sign_in(page, demo, f"amina.diallo@{DEMO_DOMAIN}")
    found = arrows(page, demo)
    assert {name: style["transform"] for name, style in found.items()} == {
        "back": transform,
        "onward": transform,
    }
    # The back arrow comes first (on the right in Arabic): its gap is on the side of the words.
    assert found["back"][gap_side] == "8px"
    check_page(page, f"arrows-{language}")
