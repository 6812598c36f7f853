"""Reads of the reference data."""

from django.core.cache import cache
from django.db.models import QuerySet

from reference.models import Ground


def grounds_offered() -> QuerySet[Ground]:
    """The grounds offered to applicants (a withdrawn ground stays only on the dossiers filed
    under it)."""
    return Ground.objects.filter(active=True)


# The limits on work of every ground, by their text in any catalogue language: a handful of
# rows, read on every verification page, kept in the cache (no query there: the page has a
# budget of queries). A catalogue load forgets it; an edit in the admin shows within minutes.
WORK_LIMITATIONS_KEY = "reference:work-limitations:v1"
WORK_LIMITATIONS_TIMEOUT = 600


def _work_limitations() -> dict[str, dict[str, str]]:
    table = cache.get(WORK_LIMITATIONS_KEY)
    if table is None:
        table = {}
        # The first ground (in pk order) that says a text wins: walk them backwards.
        for ground in Ground.objects.exclude(work_limitation_fr="").order_by("-pk"):
            translations = ground.translations("work_limitation")
            for text in translations.values():
                table[text.strip()] = translations
        cache.set(WORK_LIMITATIONS_KEY, table, timeout=WORK_LIMITATIONS_TIMEOUT)
    return table


def work_limitations_forget() -> None:
    cache.delete(WORK_LIMITATIONS_KEY)


def work_limitation_translations(stated: str, grounds=None) -> dict[str, str] | None:
    """The limits on work stated on a document (an attestation, a permit copies the French of
    its ground at the time) in every catalogue language, when they are a ground's text in one of
    them; None when no ground says exactly this (the text then stays as it was written).
    `grounds`: look only among these (already read, no query); else the whole catalogue."""
    text = (stated or "").strip()
    if not text:
        return None
    if grounds is None:
        return _work_limitations().get(text)
    for ground in grounds:
        if ground is None:
            continue
        translations = ground.translations("work_limitation")
        if text in {value.strip() for value in translations.values()}:
            return translations
    return None
