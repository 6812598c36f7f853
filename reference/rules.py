"""Pure rules about the reference catalogue and French postal codes: no database, no clock."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from reference.enums import REFERENCE_LANGUAGES, CardType, DecisionKind, ProcedureKind, RightToWork


def departement_code_for_postal_code(postal_code: str) -> str:
    """The département a French postal code belongs to.

    Metropolitan codes start with the département number; Corsica (20xxx) splits into 2A
    (20000-20199) and 2B (20200-20999); overseas départements use three digits (971-976).
    """
    code = (postal_code or "").strip()
    if len(code) != 5 or not code.isdigit():
        raise ValueError(f"Not a French postal code: {postal_code!r}")
    if code.startswith("20"):
        return "2A" if int(code) < 20200 else "2B"
    if code.startswith("97"):
        return code[:3]
    return code[:2]


def postal_code_range(departement_code: str) -> tuple[str, str]:
    """The postal codes of a département as the range `[low, high)` of five-digit strings: the
    inverse of `departement_code_for_postal_code`, for a filter the database runs (a code `c`
    of the département is `low <= c < high`). Raises ValueError for a code that is no
    département's."""
    code = (departement_code or "").strip().upper()
    if code == "2A":
        return "20000", "20200"
    if code == "2B":
        return "20200", "21000"
    if len(code) == 3 and code.isdigit() and code.startswith("97"):
        return f"{code}00", f"{int(code) + 1}00"
    if len(code) == 2 and code.isdigit() and code not in ("20", "97", "99"):
        return f"{code}000", f"{int(code) + 1:02d}000"
    raise ValueError(f"Not a département code: {departement_code!r}")


_REQUIRED_GROUND_KEYS = (
    "code",
    "label_fr",
    "description_fr",
    "ceseda_article",
    "card_type",
    "right_to_work",
    "renewable",
    "procedure_kinds",
    "requirements",
)


# Every catalogue text shown to people, by section: the stem of its columns. The French is
# `<stem>_fr`, or `<stem>` itself for the columns that kept their historical name; each
# translation is `<stem>_<language>`.
TRANSLATED_TEXTS = {
    "prefectures": ("name", "pan_opening_hours"),
    "document_types": ("label", "help"),
    "grounds": ("label", "description", "ceseda_article", "card_validity", "work_limitation"),
    "requirements": ("note",),
    "decision_reasons": ("label", "legal_basis", "remedies"),
}
_FRENCH_WITHOUT_SUFFIX = {"name", "pan_opening_hours", "ceseda_article", "legal_basis"}
_LANGUAGE_NAMES = {"fr": "French", "en": "English", "ar": "Arabic"}


def french_key(stem: str) -> str:
    return stem if stem in _FRENCH_WITHOUT_SUFFIX else f"{stem}_fr"


def translation_errors(what: str, entry: dict, section: str) -> list[str]:
    """A text given in French must be given, not empty, in every other catalogue language."""
    errors = []
    for stem in TRANSLATED_TEXTS[section]:
        if not entry.get(french_key(stem)):
            continue
        for language in REFERENCE_LANGUAGES[1:]:
            key = f"{stem}_{language}"
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                errors.append(
                    f"{what}: {key} is missing or empty "
                    f"(the {_LANGUAGE_NAMES[language]} text of {french_key(stem)})"
                )
    return errors


def catalogue_errors(catalogue: dict) -> list[str]:
    """Every problem in a reference-data catalogue (empty list: valid).

    A ground must cite its CESEDA article, state the rights its document carries, list the
    procedures it offers and come with a non-empty checklist of known document types. Every
    text shown to people is written in French, English and Arabic (`TRANSLATED_TEXTS`).
    """
    errors: list[str] = []
    if not isinstance(catalogue, dict):
        return ["the catalogue is not a mapping"]
    for section in ("prefectures", "document_types", "grounds", "decision_reasons"):
        if not catalogue.get(section):
            errors.append(f"section {section!r} is missing or empty")
    if errors:
        return errors

    departements = [entry.get("departement_code") for entry in catalogue["prefectures"]]
    if len(departements) != len(set(departements)):
        errors.append("two prefectures share a département code")
    for entry in catalogue["prefectures"]:
        what = f"prefecture {entry.get('code')!r}"
        if not entry.get("name"):
            errors.append(f"{what} needs a name")
        errors += translation_errors(what, entry, "prefectures")

    document_codes = {entry.get("code") for entry in catalogue["document_types"]}
    for entry in catalogue["document_types"]:
        what = f"document type {entry.get('code')!r}"
        if not entry.get("label_fr"):
            errors.append(f"{what} needs label_fr")
        errors += translation_errors(what, entry, "document_types")
        months = entry.get("validity_months")
        if months is not None and (not isinstance(months, int) or months < 1):
            errors.append(f"{what}: validity_months must be a number of months, at least 1")
        if months is not None and not entry.get("reusable"):
            errors.append(f"{what}: validity_months is only for a reusable document")

    seen_grounds: set[str] = set()
    for ground in catalogue["grounds"]:
        code = ground.get("code", "?")
        if code in seen_grounds:
            errors.append(f"ground {code!r} is listed twice")
        seen_grounds.add(code)
        missing = [key for key in _REQUIRED_GROUND_KEYS if ground.get(key) in (None, "", [])]
        if missing:
            errors.append(f"ground {code!r} lacks {', '.join(missing)}")
            continue
        errors += translation_errors(f"ground {code!r}", ground, "grounds")
        if ground["card_type"] not in CardType.values:
            errors.append(f"ground {code!r}: unknown card type {ground['card_type']!r}")
        if ground["right_to_work"] not in RightToWork.values:
            errors.append(f"ground {code!r}: unknown right to work {ground['right_to_work']!r}")
        if ground["right_to_work"] == RightToWork.LIMITED and not ground.get("work_limitation_fr"):
            errors.append(f"ground {code!r}: a limited right to work must state its limit")
        unknown_kinds = set(ground["procedure_kinds"]) - set(ProcedureKind.values)
        if unknown_kinds:
            errors.append(f"ground {code!r}: unknown procedures {sorted(unknown_kinds)}")
        if ground["renewable"] != (ProcedureKind.RENEWAL in ground["procedure_kinds"]):
            errors.append(f"ground {code!r}: 'renewable' disagrees with its procedures")
        listed = [item.get("document") for item in ground["requirements"]]
        if len(listed) != len(set(listed)):
            errors.append(f"ground {code!r}: a document is listed twice")
        for item in ground["requirements"]:
            if item.get("document") not in document_codes:
                errors.append(f"ground {code!r}: unknown document {item.get('document')!r}")
            errors += translation_errors(
                f"ground {code!r}, document {item.get('document')!r}", item, "requirements"
            )
            extra = set(item.get("procedure_kinds") or []) - set(ground["procedure_kinds"])
            if extra:
                errors.append(
                    f"ground {code!r}: document {item.get('document')!r} names procedures "
                    f"the ground does not offer: {sorted(extra)}"
                )
    for reason in catalogue["decision_reasons"]:
        code = reason.get("code", "?")
        if reason.get("kind") not in DecisionKind.values:
            errors.append(f"decision reason {code!r}: unknown kind {reason.get('kind')!r}")
        for key in ("label_fr", "legal_basis", "remedies_fr"):
            if not reason.get(key):
                errors.append(f"decision reason {code!r} lacks {key}")
        errors += translation_errors(f"decision reason {code!r}", reason, "decision_reasons")
    return errors


def document_valid_until(given_on: date, validity_months: int | None) -> date | None:
    """The last day a file given on `given_on` is still valid: a document "less than N months
    old" given on 10 January is valid until 9 July included, not on 10 July (same day number N
    months later, the month's last day when it has none, minus one day). None: it does not age.

    The day it was given stands for the document's own date, which the portal does not read:
    the agent still checks the paper itself."""
    if validity_months is None:
        return None
    return given_on + relativedelta(months=validity_months) - timedelta(days=1)


def document_reusable(
    *, reusable: bool, validity_months: int | None, given_on: date, today: date
) -> bool:
    """Whether a file given on `given_on` may be copied into a dossier started on `today`: its
    type may be reused at all, and the file is still valid today (its last day included)."""
    if not reusable:
        return False
    valid_until = document_valid_until(given_on, validity_months)
    return valid_until is None or today <= valid_until
