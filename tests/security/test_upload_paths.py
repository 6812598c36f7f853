"""Every upload path against the hostile corpus: posted through the real view, then the stored
file is opened and inspected (nothing hostile may survive), or the upload was refused with a
message that names the file."""

import html

import pytest

from tests.security.corpus import CLEANED, CORPUS, findings, sniffed
from tests.security.paths import PATHS

pytestmark = pytest.mark.django_db

EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path, reference_data):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.mark.parametrize("sample", CORPUS, ids=lambda sample: sample.id)
@pytest.mark.parametrize("path", PATHS)
def test_upload_path_hostile_file_cleaned_or_refused_by_name(client, path, sample):
    outcome = PATHS[path](client, sample.name, sample.content)
    if not outcome.stored:
        assert sample.expected != CLEANED, (
            f"a file that can be cleaned was refused: {outcome.text[:300]}"
        )
        assert sample.name in html.unescape(outcome.text), "the refusal does not name the file"
        return
    (content, recorded_type, recorded_name), *others = outcome.stored
    assert not others
    assert sample.expected == CLEANED, "a file that must be refused was stored"
    assert recorded_type == sniffed(content)
    assert recorded_name.endswith(EXTENSIONS[recorded_type])  # never the sender's extension
    assert findings(content, recorded_type) == []
