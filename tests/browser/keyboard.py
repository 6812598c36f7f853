"""Keyboard-only moves for browser tests: Tab (or Shift+Tab) until an element has the focus,
and whether the focused element is visibly outlined (RGAA 10.7, WCAG 2.4.7 "Focus Visible")."""

import pytest

IS_FOCUSED = "el => el === document.activeElement"

# What the focused element shows: an outline (the DSFR's :focus-visible ring) or a box-shadow,
# on the element itself or on its ::before box (the DSFR's "enlarge link" cards draw the ring
# around the whole card that way).
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const ring = (style) => ({
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
  });
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 60),
    boxes: [ring(getComputedStyle(el)), ring(getComputedStyle(el, "::before"))],
  };
}"""


def describe_focus(page) -> str:
    """The focused element in a few words, for failure messages."""
    style = page.evaluate(FOCUS_STYLE)
    return "nothing (body)" if style is None else f"<{style['tag']}> {style['text']!r}"


def tab_to(page, locator, max_presses: int = 80, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab when `backwards`) until `locator` has the focus; fail clearly if it
    is never reached, which means a keyboard user cannot reach it either."""
    key = "Shift+Tab" if backwards else "Tab"
    target = locator.first
    target.wait_for(state="attached")
    for _press in range(max_presses):
        page.keyboard.press(key)
        if target.evaluate(IS_FOCUSED):
            return
    pytest.fail(
        f"{locator} not reached after {max_presses} presses of {key} on {page.url}; "
        f"the focus is on {describe_focus(page)}"
    )


def focus_is_visible(page) -> bool:
    """The focused element draws a visible focus indicator (outline or box-shadow)."""
    style = page.evaluate(FOCUS_STYLE)
    if style is None:
        return False
    return any(
        (box["outlineStyle"] != "none" and box["outlineWidth"] > 0)
        or box["boxShadow"] not in ("", "none")
        for box in style["boxes"]
    )


def assert_focus_visible(page) -> None:
    assert focus_is_visible(page), f"no visible focus indicator on {describe_focus(page)}"
