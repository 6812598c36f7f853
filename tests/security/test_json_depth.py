"""Deeply nested JSON is a 400 with a clear message, never a 500 (issue 15: anonymously on
/api/v1/verify/token/, Python's recursion limit blew up in the parser)."""

import pytest
from django.urls import get_resolver, reverse
from rest_framework.parsers import JSONParser
from rest_framework.views import APIView

from anef.api_parsers import DepthLimitedJSONParser


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.django_db
def test_api_verify_token_deeply_nested_json_anonymous_is_a_400(client):
    response = client.post(
        reverse("api:verify-token"),
        data=nested(100_000),
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "nested too deeply" in response.json()["message"]


@pytest.mark.django_db
def test_api_json_nested_beyond_the_limit_but_parseable_is_a_400(client, settings):
    response = client.post(
        reverse("api:verify-token"),
        data='{"token": ' + nested(settings.API_JSON_MAX_DEPTH + 1) + "}",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.django_db
def test_api_json_within_the_limit_is_read(client):
    response = client.post(
        reverse("api:verify-token"), data={"token": "x"}, content_type="application/json"
    )
    assert response.status_code != 500
    assert response.json()["code"] != "parse_error"


def _api_views():
    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                view = getattr(pattern.callback, "cls", None)
                if view is not None and issubclass(view, APIView):
                    yield view

    return set(walk(get_resolver().url_patterns))


def test_api_every_json_parser_is_the_depth_limited_one():
    plain = sorted(
        view.__qualname__
        for view in _api_views()
        for parser in view().get_parsers()
        if isinstance(parser, JSONParser) and not isinstance(parser, DepthLimitedJSONParser)
    )
    assert plain == []
