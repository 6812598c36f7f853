"""The API documentation page (issue 18): a page of this site in the reader's language, listing
every endpoint of the schema as plain HTML; Swagger UI moved to an explorer that declares its
language and has no link inside a button."""

import re

import pytest
from django.urls import reverse

from anef.api_docs import api_endpoint_groups

pytestmark = pytest.mark.django_db


def test_api_docs_page_lists_every_operation_of_the_schema(client):
    html = client.get(reverse("api-docs")).content.decode()
    paths = {row["path"] for _, rows in api_endpoint_groups() for row in rows}
    assert "/api/v1/verify/{number}/" in paths
    missing = [path for path in paths if f">{path}</code>" not in html]
    assert missing == []


def test_api_docs_page_is_in_the_reader_language_right_to_left_in_arabic(client):
    html = client.get(reverse("api-docs"), headers={"accept-language": "ar"}).content.decode()
    assert re.search(r'<html lang="ar" dir="rtl"', html)
    assert 'href="{}"'.format(reverse("api-docs-explorer")) in html


def test_api_docs_explorer_declares_english(client):
    html = client.get(reverse("api-docs-explorer")).content.decode()
    assert '<html lang="en" dir="ltr">' in html


def test_api_docs_explorer_starts_swagger_ui_without_deep_links(client):
    # Deep links put an <a> inside each operation's <button> (axe: nested-interactive).
    script = client.get(reverse("api-docs-explorer") + "?script=").content.decode()
    assert re.search(r'"deepLinking":\s*false', script)
