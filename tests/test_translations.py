"""French is the reference language: every string of ours has a French translation, and the
committed .mo files (what Django reads) say exactly what the .po files say."""

import gettext
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["fr", "en", "ar"]
# A number that selects each plural form (French and English: two; Arabic: six).
SAMPLE_COUNT = {
    "fr": {0: 1, 1: 2},
    "en": {0: 1, 1: 2},
    "ar": {0: 0, 1: 1, 2: 2, 3: 3, 4: 11, 5: 100},
}


@pytest.fixture(scope="module")
def french_catalogue():
    return polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "django.po"))


def test_translations_french_has_no_untranslated_string(french_catalogue):
    missing = [entry.msgid for entry in french_catalogue.untranslated_entries()]
    assert missing == []


def test_translations_arabic_has_no_untranslated_string():
    """Arabic (issue 7): the applicant's pages, the verification page and the rights text; the
    agents' consoles are translated too, so that one rule holds: every string."""
    arabic = polib.pofile(str(LOCALE / "ar" / "LC_MESSAGES" / "django.po"))
    assert [entry.msgid for entry in arabic.untranslated_entries()] == []
    assert [entry.msgid for entry in arabic.fuzzy_entries()] == []


def test_translations_french_has_no_fuzzy_string(french_catalogue):
    assert [entry.msgid for entry in french_catalogue.fuzzy_entries()] == []


def _translations(entry) -> list[str]:
    """The translated text(s) of an entry: one, or one per plural form."""
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_translations_french_keeps_every_placeholder(french_catalogue):
    for entry in french_catalogue.translated_entries():
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        for index, translation in enumerate(_translations(entry)):
            source = sources[min(index, len(sources) - 1)]
            for placeholder in ("%(", "{{", "<a "):
                assert source.count(placeholder) == translation.count(placeholder), entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_compiled_file_matches_its_source(language):
    source = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in source.translated_entries():
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            for form, translation in entry.msgstr_plural.items():
                count = SAMPLE_COUNT[language][int(form)]
                if entry.msgctxt:
                    found = compiled.npgettext(
                        entry.msgctxt, entry.msgid, entry.msgid_plural, count
                    )
                else:
                    found = compiled.ngettext(entry.msgid, entry.msgid_plural, count)
                assert found == translation, entry.msgid
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr, entry.msgid
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_translations_french_dates_keep_django_lowercase_day_and_month_names():
    """Our catalog must not translate Django's own day and month names: a plain "Monday" →
    "Lundi" of ours once printed « le Lundi 7 décembre » in every sentence with a date."""
    from datetime import date

    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("fr"):
        days = [date_format(date(2026, 12, 7 + offset), "l") for offset in range(7)]
        months = [date_format(date(2026, month, 1), "F") for month in range(1, 13)]
    assert days == ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    assert all(name == name.lower() for name in months), months
