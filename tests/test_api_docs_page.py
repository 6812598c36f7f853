"""The API documentation page (issue 18): a page of this site in the reader's language, listing
every endpoint of the schema as plain HTML; Swagger UI moved to an explorer that declares its
language and has no link inside a button."""

import re

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


def test_api_docs_page_lists_every_operation_of_the_schema(client):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in ("get", "post", "put", "patch", "delete")
        if method in item
    ]
    assert ("POST", "/api/v1/auth/token/") in operations
    html = client.get(reverse("api-docs")).content.decode()
    listed = re.findall(
        r'<code class="anef-api-endpoints__method">(\w+)</code> '
        r'<code class="anef-api-endpoints__path">([^<]+)</code>',
        html,
    )
    assert sorted(listed) == sorted(operations)


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
