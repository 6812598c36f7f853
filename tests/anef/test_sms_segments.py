"""Every text fits the segments it is allowed (issue 21), checked on the **rendered** text, in
French, English and Arabic, at the longest value of every field.
The French and Arabic texts are the catalogs' own (locale/*/LC_MESSAGES).
"""

import pytest

from anef.sms import (
    APPOINTMENT_LINK_MAX_LENGTH,
    FIELDS,
    LINK_MAX_LENGTH,
    MAX_SEGMENTS,
    TEMPLATES,
    segments,
    sms_link,
    sms_render,
)

LANGUAGES = ("fr", "en", "ar")
# Templates that cannot fit one segment in a language, with why (reported to the lead): an
# appointment's cancel link carries a token, and Arabic (UCS-2) has 70 characters in all.
TWO_SEGMENTS_ALLOWED = {
    ("appointment_confirmed", "ar"),
    ("appointment_reminder", "ar"),
}


def _longest(field: str, template: str) -> str:
    if field == "link":
        length = (
            APPOINTMENT_LINK_MAX_LENGTH
            if template.startswith("appointment") or template == "slot_offer"
            else LINK_MAX_LENGTH
        )
        return "https://" + "x" * (length - len("https://"))
    return {"day": "31/12", "time": "23:59", "code": "999999", "minutes": "15"}[field]


CASES = [
    (template, language) for template in sorted(set(TEMPLATES.values())) for language in LANGUAGES
] + [("one_time_code", language) for language in LANGUAGES]


@pytest.mark.parametrize(("template", "language"), CASES)
def test_sms_template_longest_fields_fits_its_segments(template, language):
    context = {field: _longest(field, template) for field in FIELDS[template]}
    text = sms_render(template, context, language=language)
    count = segments(text)
    allowed = MAX_SEGMENTS if (template, language) in TWO_SEGMENTS_ALLOWED else 1
    assert count.segments <= allowed, (text, count)
    if language != "en":  # translated, not the English fallback
        assert text != sms_render(template, context, language="en")


@pytest.mark.parametrize("language", ("fr", "en"))
def test_sms_templates_latin_languages_stay_in_gsm7(language):
    """A French text with « », ê or ç would fall to 70 characters a segment."""
    for template in set(TEMPLATES.values()) | {"one_time_code"}:
        context = {field: _longest(field, template) for field in FIELDS[template]}
        assert segments(sms_render(template, context, language=language)).encoding == "GSM-7"


def test_sms_link_default_site_fits_the_longest_link_tested():
    assert len(sms_link()) <= LINK_MAX_LENGTH
