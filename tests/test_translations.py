"""French is the reference language: every string of ours has a French translation, and the
committed .mo files (what Django reads) say exactly what the .po files say."""

import gettext
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["fr", "en"]


@pytest.fixture(scope="module")
def french_catalogue():
    return polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "django.po"))


def test_translations_french_has_no_untranslated_string(french_catalogue):
    missing = [entry.msgid for entry in french_catalogue.untranslated_entries()]
    assert missing == []


def test_translations_french_has_no_fuzzy_string(french_catalogue):
    assert [entry.msgid for entry in french_catalogue.fuzzy_entries()] == []


def test_translations_french_keeps_every_placeholder(french_catalogue):
    for entry in french_catalogue.translated_entries():
        for placeholder in ("%(", "{{", "<a "):
            assert entry.msgid.count(placeholder) == entry.msgstr.count(placeholder), entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_compiled_file_matches_its_source(language):
    source = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in source.translated_entries():
        if not entry.obsolete:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid
