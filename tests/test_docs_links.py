"""Every relative link of README.md and docs/*.md leads to a file of this repository, and every
anchor to a heading of the page it names (issue 17: the README pointed at ../shared/, outside
the repository, which a reader of the repository does not have)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def links_of(text: str) -> list[str]:
    """The link targets of a Markdown page, code blocks and inline code left out."""
    prose = re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))
    return LINK.findall(prose)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors_of(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text())
    return {slug(match) for match in re.findall(r"^#{1,6} +(.+?) *#*$", text, re.MULTILINE)}


def relative_links() -> list[tuple[Path, str]]:
    return [
        (page, target)
        for page in PAGES
        for target in links_of(page.read_text())
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto:
    ]


def test_docs_pages_are_found():
    assert ROOT / "README.md" in PAGES
    assert ROOT / "docs" / "product.md" in PAGES


def test_slug_follows_githubs_rule():
    assert slug("Walking the scenarios in `make run`") == "walking-the-scenarios-in-make-run"
    assert slug("Signing keys: generate, rotate, back up") == "signing-keys-generate-rotate-back-up"


def _id(value) -> str:
    return str(value.relative_to(ROOT)) if isinstance(value, Path) else str(value)


@pytest.mark.parametrize(("page", "target"), relative_links(), ids=_id)
def test_relative_link_resolves_inside_the_repository(page, target):
    path_part, _, anchor = target.partition("#")
    destination = (page.parent / path_part).resolve() if path_part else page
    assert destination.is_relative_to(ROOT), f"{page.name}: {target} leaves the repository"
    assert destination.exists(), f"{page.name}: {target} does not exist"
    if anchor and destination.suffix == ".md":
        assert anchor in anchors_of(destination), f"{page.name}: no heading for #{anchor}"
