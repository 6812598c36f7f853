"""Pure rules about the reference catalogue and French postal codes: no database, no clock."""

from reference.enums import CardType, DecisionKind, ProcedureKind, RightToWork


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


_REQUIRED_GROUND_KEYS = (
    "code",
    "label_fr",
    "label_en",
    "description_fr",
    "description_en",
    "ceseda_article",
    "card_type",
    "right_to_work",
    "renewable",
    "procedure_kinds",
    "requirements",
)


def catalogue_errors(catalogue: dict) -> list[str]:
    """Every problem in a reference-data catalogue (empty list: valid).

    A ground must cite its CESEDA article, state the rights its document carries, list the
    procedures it offers and come with a non-empty checklist of known document types.
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

    document_codes = {entry.get("code") for entry in catalogue["document_types"]}
    for entry in catalogue["document_types"]:
        if not entry.get("label_fr") or not entry.get("label_en"):
            errors.append(f"document type {entry.get('code')!r} needs label_fr and label_en")

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
        for key in ("label_fr", "label_en", "legal_basis", "remedies_fr", "remedies_en"):
            if not reason.get(key):
                errors.append(f"decision reason {code!r} lacks {key}")
    return errors
