"""The committed OpenAPI schema (docs/openapi.yaml) is the one the code generates, without
warnings: an API change shows up in review as a schema diff."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from drf_spectacular.drainage import reset_generator_stats

SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
REGENERATE = (
    ".venv/bin/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml"
)


def test_openapi_schema_matches_committed_file(tmp_path):
    generated = tmp_path / "openapi.yaml"
    # `manage.py` runs with no active language, i.e. LANGUAGE_CODE: do the same here, whatever
    # language an earlier test left active.
    reset_generator_stats()  # count only this generation's warnings
    with translation.override(settings.LANGUAGE_CODE):
        try:
            call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))
        except Exception as exc:  # warnings or an invalid schema
            pytest.fail(f"The schema does not generate cleanly ({exc}). Run: {REGENERATE}")
    assert SCHEMA_PATH.exists(), f"docs/openapi.yaml is missing. Run: {REGENERATE}"
    assert generated.read_text() == SCHEMA_PATH.read_text(), (
        f"docs/openapi.yaml is out of date with the API. Run: {REGENERATE}"
    )
