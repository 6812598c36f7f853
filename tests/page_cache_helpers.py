"""Helpers of the page cache's tests (tests/test_page_cache*.py): a signed-in client, and a way
to tell a kept page served again from a page rendered now (a rendered page reads the rows it
lists; a kept one reads none of them)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reference.models import Prefecture

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DASHBOARD = "/portal/"
# The table each cached page lists its rows from.
LISTED = {"backoffice:home": "applications_application", "support_console:home": "support_ticket"}


@pytest.fixture
def paris(reference_data) -> Prefecture:
    return Prefecture.objects.get(departement_code="75")


def client_of(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _listed_table(url: str) -> str:
    for name, table in LISTED.items():
        if url.startswith(reverse(name)):
            return table
    return "applications_application"


def hit(client: Client, url: str = DASHBOARD):
    """The page, and whether it was the kept one (its rows were not read)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    table = f'"{_listed_table(url)}"'
    read = any(
        table in query["sql"] and query["sql"].lstrip().upper().startswith("SELECT")
        for query in captured.captured_queries
    )
    return response, not read


def get(client: Client, url: str = DASHBOARD):
    return hit(client, url)[0]


def without_csrf(response) -> bytes:
    return CSRF_INPUT.sub("", response.content.decode()).encode()
