"""Every text fits ONE segment (issue 21), checked on the **rendered** text, in French, English
and Arabic, at the longest value of every field: the day and time at their widest, and the
links as the site builds them with SMS_SITE_URL at its longest allowed length (anef.checks) and
the largest key the tests assume (substitution/cancel_links.py).
The French and Arabic texts are the catalogs' own (locale/*/LC_MESSAGES): a missing
translation fails (the English would show).
"""

import pytest
from django.core.checks import Error

from anef.checks import check_sms_site_url
from anef.sms import (
    APPOINTMENT_LINK_MAX_LENGTH,
    FIELDS,
    LINK_MAX_LENGTH,
    SMS_SITE_URL_MAX_LENGTH,
    TEMPLATES,
    segments,
    sms_link,
    sms_render,
)
from substitution.cancel_links import cancel_url, offer_short_url
from substitution.models import Appointment, SlotOffer

LANGUAGES = ("fr", "en", "ar")
LONGEST_SITE = "https://" + "x" * (SMS_SITE_URL_MAX_LENGTH - len("https://"))
# The largest appointment or offer number with a 16-character key (anef/sms.py says what a
# larger one costs).
LARGEST_NUMBER = 36**5 - 1
HTTP_BACKEND = "anef.sms_backends.HttpSmsBackend"


@pytest.fixture(autouse=True)
def _longest_site(settings):
    settings.SMS_SITE_URL = LONGEST_SITE


def _link(template: str) -> str:
    """The link a template carries, built as the notifications build it."""
    if template in ("appointment_confirmed", "appointment_reminder"):
        return cancel_url(Appointment(pk=LARGEST_NUMBER), site=LONGEST_SITE)
    if template == "slot_offer":
        return offer_short_url(SlotOffer(pk=LARGEST_NUMBER), site=LONGEST_SITE)
    return sms_link()


def _longest(field: str, template: str) -> str:
    if field == "link":
        return _link(template)
    return {"day": "31/12", "time": "23:59", "code": "999999", "minutes": "15"}[field]


def _render(template: str, language: str) -> str:
    context = {field: _longest(field, template) for field in FIELDS[template]}
    return sms_render(template, context, language=language)


CASES = [
    (template, language)
    for template in sorted(set(TEMPLATES.values()) | {"one_time_code"})
    for language in LANGUAGES
]


@pytest.mark.parametrize(("template", "language"), CASES)
def test_sms_template_longest_fields_fits_one_segment(template, language):
    text = _render(template, language)
    count = segments(text)
    assert count.segments == 1, (text, count)


@pytest.mark.parametrize("template", sorted(set(TEMPLATES.values()) | {"one_time_code"}))
def test_sms_template_translated_in_each_language(template):
    """Three different texts: a missing Arabic translation would show the French (the site's
    default language), a missing French one the English."""
    texts = {language: _render(template, language) for language in LANGUAGES}
    assert len(set(texts.values())) == len(LANGUAGES), texts


@pytest.mark.parametrize("language", ("fr", "en"))
def test_sms_templates_latin_languages_stay_in_gsm7(language):
    """A French text with « », ê or ç would fall to 70 characters a segment."""
    for template in set(TEMPLATES.values()) | {"one_time_code"}:
        assert segments(_render(template, language)).encoding == "GSM-7"


def test_sms_links_at_longest_site_are_the_lengths_anef_sms_states():
    assert len(_link("renewal_reminder")) == LINK_MAX_LENGTH
    assert len(_link("appointment_reminder")) == APPOINTMENT_LINK_MAX_LENGTH
    assert len(_link("slot_offer")) == APPOINTMENT_LINK_MAX_LENGTH


def test_check_sms_site_url_over_its_length_with_a_sending_backend_is_an_error(settings):
    settings.SMS_BACKEND = HTTP_BACKEND
    settings.SMS_SITE_URL = LONGEST_SITE + "x"
    errors = check_sms_site_url()
    assert [error.id for error in errors] == ["anef.E006"]
    assert isinstance(errors[0], Error)


def test_check_sms_site_url_at_its_length_with_a_sending_backend_passes(settings):
    settings.SMS_BACKEND = HTTP_BACKEND
    settings.SMS_SITE_URL = LONGEST_SITE + "/"  # a trailing slash is not in the links
    assert check_sms_site_url() == []


def test_check_sms_site_url_long_with_the_console_backend_passes(settings):
    """Development and the compose stack send nothing: their long default SITE_URL is fine."""
    settings.SMS_BACKEND = "sms.backends.console.SmsBackend"
    settings.SMS_SITE_URL = "http://localhost:8000"
    assert check_sms_site_url() == []
