"""Catalogue texts copied onto a document (an attestation's or a permit's limits on work are
the French of their ground at the time), shown in the reader's language when the catalogue
has them: `{{ rights.work_limitation|work_limitation_read }}`."""

from django import template

from reference.models import reference_language
from reference.selectors import work_limitation_translations

register = template.Library()


@register.filter
def work_limitation_read(stated):
    text = stated or ""
    translations = work_limitation_translations(text) or {}
    return translations.get(reference_language()) or text
