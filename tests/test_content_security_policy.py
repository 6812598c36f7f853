"""Content-Security-Policy (issue 8): the header on every page, and no inline script, style or
event handler in our templates, which that policy would block."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# The PDF template is read by WeasyPrint on the server, never by a browser.
NOT_SERVED = {TEMPLATES / "pdf"}

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"")
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def served_templates() -> list[Path]:
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if not any(folder in path.parents for folder in NOT_SERVED)
    ]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
def test_csp_header_allows_only_this_sites_scripts_and_styles(client):
    policy = directives(client.get("/").headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_csp_header_is_sent_on_error_pages_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_csp_api_docs_load_their_start_script_from_a_url(client):
    page = client.get("/api/docs/explorer/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)
    script = client.get("/api/docs/explorer/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_csp_templates_scan_finds_the_project_templates():
    names = {path.relative_to(TEMPLATES).as_posix() for path in served_templates()}
    assert {"base.html", "support/public/contact.html"} <= names
    assert not any(name.startswith("pdf/") for name in names)


@pytest.mark.parametrize(
    "pattern",
    [INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER],
    ids=["inline-script", "inline-style", "event-handler-attribute"],
)
def test_csp_no_template_holds_what_the_policy_blocks(pattern):
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in served_templates()
        for match in pattern.finditer(path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "snippet, pattern",
    [
        ("<script>alert(1)</script>", INLINE_SCRIPT),
        ('<div style="color:red">', INLINE_STYLE),
        ("<style>p{}</style>", INLINE_STYLE),
        ('<button onclick="go()">', EVENT_HANDLER),
    ],
)
def test_csp_scan_patterns_catch_each_kind_of_inline_code(snippet, pattern):
    assert pattern.search(snippet)


@pytest.mark.parametrize(
    "snippet",
    ['<script src="/static/js/print.js" defer></script>', '<script type="application/json">'],
)
def test_csp_scan_patterns_let_external_scripts_and_json_data_through(snippet):
    assert not INLINE_SCRIPT.search(snippet)
