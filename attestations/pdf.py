"""The attestation as a printable document: A4 PDF rendered with WeasyPrint, stored through
django-storages under a deterministic key (DESIGN.md §3 "attestations").

The document is the same for every reader: French first (the legal language of the document),
each statement followed by its English version, so that an employer, a landlord or an office
abroad reads the rights it carries (DESIGN.md §1 point 2). That is why its wording is data here,
in both languages side by side, like the legal sentence stored on the attestation
(`rights["legal_text"]`), and not gettext, which would pick one language per reader.

The attestation exists (and verifies) before its PDF does: a task renders what is missing
(`attestation_pdfs_render_missing`), and the download page renders on demand when the file is
missing (pretix's cached tickets).
"""

import base64
import io
import logging
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from attestations import signing
from attestations.enums import AttestationKind
from attestations.models import Attestation, pdf_storage_key
from reference.selectors import work_limitation_translations

logger = logging.getLogger(__name__)

STYLESHEET = Path(__file__).resolve().parent / "pdf_assets" / "attestation.css"
TEMPLATE = "pdf/attestation.html"


@dataclass(frozen=True)
class Bilingual:
    fr: str
    en: str


TITLES = {
    AttestationKind.API: Bilingual(
        "Attestation de prolongation de l'instruction d'une demande de titre de séjour",
        "Attestation of extended examination of a residence permit application",
    ),
    AttestationKind.ADF: Bilingual(
        "Attestation de décision favorable",
        "Attestation of a favourable decision",
    ),
    AttestationKind.DEPOSIT_RECEIPT: Bilingual(
        "Attestation de dépôt",
        "Certificate of filing",
    ),
    AttestationKind.TECHNICAL_IMPOSSIBILITY: Bilingual(
        "Attestation d'impossibilité technique",
        "Written acknowledgement of a technical impossibility",
    ),
}

PROCEDURES = {
    "first_application": Bilingual("Première demande", "First application"),
    "renewal": Bilingual("Renouvellement", "Renewal"),
    "change_of_status": Bilingual("Changement de statut", "Change of status"),
    "change_of_situation": Bilingual("Changement de situation", "Change of situation"),
    "travel_document": Bilingual("Document de voyage", "Travel document"),
    "duplicate": Bilingual("Duplicata", "Duplicate"),
}

LABELS = {
    "number": Bilingual("Numéro de l'attestation", "Attestation number"),
    "holder": Bilingual("Titulaire", "Holder"),
    "name": Bilingual("Nom et prénom(s)", "Name"),
    "birth_date": Bilingual("Date de naissance", "Date of birth"),
    "nationality": Bilingual("Nationalité", "Nationality"),
    "foreigner_number": Bilingual("Numéro étranger", "Foreigner number"),
    "address": Bilingual("Adresse", "Address"),
    "application": Bilingual("Demande", "Application"),
    "blocking": Bilingual("Difficulté constatée", "Blocking confirmed"),
    "ground": Bilingual("Motif", "Ground"),
    "procedure": Bilingual("Procédure", "Procedure"),
    "validity": Bilingual("Validité", "Validity"),
    "rights": Bilingual("Droits attachés à cette attestation", "Rights this attestation carries"),
    "stay": Bilingual("Séjour régulier en France", "Lawful residence in France"),
    "work": Bilingual("Travail", "Work"),
    "benefits": Bilingual("Prestations sociales et logement", "Social benefits and housing"),
    "legal": Bilingual("Mention légale", "Legal statement"),
    "issuer": Bilingual("Autorité de délivrance", "Issuing authority"),
    "issued_on": Bilingual("Délivrée le", "Issued on"),
    "verify": Bilingual("Vérifier cette attestation", "Check this attestation"),
    "verify_help": Bilingual(
        "Scannez le code QR ou saisissez l'adresse ci-dessous : la page indique si "
        "l'attestation est valable et les droits qu'elle ouvre.",
        "Scan the QR code or type the address below: the page says whether the attestation "
        "is valid and which rights it carries.",
    ),
    "guide": Bilingual("Ce que prouve ce document", "What this document proves"),
    "page": Bilingual("Page", "Page"),
    "may_stay": Bilingual("Peut séjourner en France", "May stay in France"),
    "may_work": Bilingual("Peut travailler", "May work"),
    "validity_details": Bilingual("Validité en détail", "Validity in detail"),
}

YES = Bilingual("oui", "yes")
STAY_NOT_PROVED = Bilingual(
    "non prouvé par cette attestation à elle seule", "not proved by this document alone"
)
WORK_LIMITED = Bilingual(
    "oui, dans les limites suivantes : {limitation}", "yes, within these limits: {limitation}"
)
WORK_NONE = Bilingual("non", "no")
WORK_AS_HELD = Bilingual(
    "dans les mêmes conditions que le titre de séjour détenu",
    "on the same terms as the residence permit held",
)
BENEFITS_YES = Bilingual(
    "oui, comme un récépissé (voir la mention légale)",
    "yes, as with a récépissé (see the legal statement)",
)
NOT_PROVED = Bilingual("non prouvé par cette attestation", "not proved by this document")
RIGHT_VALUES = {
    "yes": YES,
    "no": WORK_NONE,
    "stay_not_proved": STAY_NOT_PROVED,
    "not_proved": NOT_PROVED,
    "work_limited": WORK_LIMITED,
    "work_as_held": WORK_AS_HELD,
    "benefits_yes": BENEFITS_YES,
}


# The rights also in the holder's own language, where we have it (issue 4: "French with the rights
# also in English and the applicant's language where available"). Arabic for now (issue 7).
THIRD_LANGUAGES = {
    "ar": {
        "titles": {
            AttestationKind.API: "شهادة تمديد دراسة طلب تصريح الإقامة",
            AttestationKind.ADF: "شهادة قرار إيجابي",
            AttestationKind.DEPOSIT_RECEIPT: "شهادة إيداع الطلب",
            AttestationKind.TECHNICAL_IMPOSSIBILITY: "إقرار كتابي باستحالة تقنية",
        },
        "rights": "الحقوق التي تمنحها هذه الشهادة",
        "stay": "الإقامة القانونية في فرنسا",
        "work": "العمل",
        "benefits": "المساعدات الاجتماعية والسكن",
        "yes": "نعم",
        "no": "لا",
        "stay_not_proved": "لا تثبتها هذه الشهادة وحدها",
        "not_proved": "لا تثبتها هذه الشهادة",
        "work_limited": "نعم، ضمن الحدود التالية: {limitation}",
        "work_as_held": "بنفس شروط تصريح الإقامة الذي تحمله",
        "benefits_yes": "نعم، مثل وصل الإيداع (récépissé)",
    }
}


def _third_language(attestation: Attestation) -> dict | None:
    """The title, rights and legal statement in the holder's language, if it is neither French
    nor English and we have it."""
    language = getattr(attestation.holder, "preferred_language", "") or ""
    texts = THIRD_LANGUAGES.get(language)
    if texts is None:
        return None
    rights = attestation.rights
    limitation = _limitation(attestation, language)
    return {
        "code": language,
        "title": texts["titles"].get(attestation.kind, ""),
        "rights_title": texts["rights"],
        "rights": [
            (texts[label], texts[value].format(limitation=limitation))
            for label, value in _right_keys(rights)
        ],
        "legal_text": (rights.get("legal_text") or {}).get(language, ""),
    }


# --- Formatting ---------------------------------------------------------------------------------


def _date(day: date | None, language: str) -> str:
    if day is None:
        return ""
    with translation.override(language):
        return date_format(day, "j F Y")


def _dates(day: date | None) -> Bilingual:
    return Bilingual(_date(day, "fr"), _date(day, "en"))


def _birth_date(snapshot: dict) -> Bilingual:
    raw = snapshot.get("birth_date") or ""
    try:
        return _dates(date.fromisoformat(raw))
    except ValueError:
        return Bilingual(raw, raw)


def _validity(attestation: Attestation) -> list[Bilingual]:
    """What the validity means for this kind: an API goes with the expired permit, an ADF
    lasts until the card is handed over, a deposit receipt has a date and no end."""
    start = _dates(attestation.valid_from)
    until = _dates(attestation.valid_until)
    if attestation.kind == AttestationKind.DEPOSIT_RECEIPT:
        return [Bilingual(f"Demande déposée le {start.fr}.", f"Application filed on {start.en}.")]
    if attestation.valid_until is None:
        lines = [Bilingual(f"Valable à partir du {start.fr}.", f"Valid from {start.en}.")]
    else:
        lines = [
            Bilingual(
                f"Valable du {start.fr} au {until.fr} inclus.",
                f"Valid from {start.en} to {until.en} inclusive.",
            )
        ]
    permit = attestation.application.renews_permit if attestation.application else None
    if attestation.kind == AttestationKind.API:
        if permit is not None:
            expiry = _dates(permit.valid_until)
            lines.append(
                Bilingual(
                    f"Elle accompagne le titre de séjour n° {permit.number}, expiré le "
                    f"{expiry.fr} : présentée avec ce titre, elle prouve la régularité du séjour.",
                    f"It accompanies residence permit No. {permit.number}, expired on "
                    f"{expiry.en}: shown with that permit, it proves lawful residence.",
                )
            )
        else:
            lines.append(
                Bilingual(
                    "Elle prouve la régularité du séjour pendant l'instruction de la demande.",
                    "It proves lawful residence while the application is being examined.",
                )
            )
        lines.append(
            Bilingual(
                "Elle est renouvelée tant qu'aucune décision n'est prise.",
                "It is renewed for as long as no decision has been taken.",
            )
        )
    elif attestation.kind == AttestationKind.ADF:
        lines.append(
            Bilingual(
                "Elle est valable jusqu'à la remise du titre de séjour, et renouvelée si la carte "
                "n'est pas remise avant son terme.",
                "It is valid until the residence permit is handed over, and renewed if the card "
                "is not handed over before it ends.",
            )
        )
    return lines


def _right_keys(rights: dict) -> list[tuple[str, str]]:
    """Each right as (label key, value key), stated explicitly from the data on the attestation:
    one choice, worded by `_rights` in French and English and by `_third_language`."""
    stay = bool(rights.get("stay"))
    work = rights.get("work", "none")
    if work == "full":
        work_value = "yes"
    elif work == "limited":
        work_value = "work_limited"
    elif work == "none":
        # A document that proves no stay (the deposit receipt) says nothing about work either:
        # "no" would read as a ban on a person who may hold a card that allows work.
        work_value = "no" if stay else "not_proved"
    else:
        work_value = "work_as_held"
    return [
        ("stay", "yes" if stay else "stay_not_proved"),
        ("work", work_value),
        ("benefits", "benefits_yes" if rights.get("benefits_and_housing") else "not_proved"),
    ]


def _limitation(attestation: Attestation, language: str) -> str:
    """The limits on work stated on the attestation (in French), in `language` when they are
    the text of its ground or of the permit it continues
    (`reference.selectors.work_limitation_translations`)."""
    stated = attestation.rights.get("work_limitation", "")
    permit = attestation.permit if attestation.permit_id else None
    grounds = [attestation.ground, permit.ground if permit is not None else None]
    translations = work_limitation_translations(stated, grounds) or {}
    return translations.get(language) or stated


def _rights(attestation: Attestation) -> list[tuple[Bilingual, Bilingual]]:
    """Each right as (label, value) in French and English."""
    rights = attestation.rights
    limitation = Bilingual(_limitation(attestation, "fr"), _limitation(attestation, "en"))
    return [
        (
            LABELS[label],
            Bilingual(
                RIGHT_VALUES[value].fr.format(limitation=limitation.fr),
                RIGHT_VALUES[value].en.format(limitation=limitation.en),
            ),
        )
        for label, value in _right_keys(rights)
    ]


# The printed size of one QR module. A scan of the page at 80 dpi (a phone held at arm's length,
# a cheap office scanner) sees 0.75 mm as 2.4 pixels: at 0.7 mm (2.2 pixels) a third of the codes
# of our length failed to decode once averaged to 80 dpi. The code grows with what it holds
# (version 15 with its quiet zone: 81 modules, 61 mm; an ADF's version 17: 93 modules, 70 mm).
QR_MODULE_MM = 0.75


@dataclass(frozen=True)
class PrintedQr:
    data_uri: str
    size_mm: float


def _printed_qr(url: str) -> PrintedQr:
    """The QR code as a PNG of one pixel per module, which the page scales without smoothing
    (`image-rendering: pixelated`): one small image to draw, sharp edges at any resolution, and
    a size in millimetres that follows the number of modules."""
    code = signing.qr_make(url)
    output = io.BytesIO()
    code.save(output, kind="png", scale=1, border=signing.QR_QUIET_ZONE, dark="#000", light="#fff")
    modules = code.symbol_size(scale=1, border=signing.QR_QUIET_ZONE)[0]
    return PrintedQr(
        data_uri="data:image/png;base64," + base64.b64encode(output.getvalue()).decode("ascii"),
        size_mm=round(modules * QR_MODULE_MM, 1),
    )


def _headline(attestation: Attestation) -> dict:
    """What a reader looks for first, in the box at the top: until when, may the holder stay,
    may the holder work (the same words as the rights on the attestation)."""
    rights = dict(_rights(attestation))
    return {
        "validity": _validity(attestation)[0],
        "stay": rights[LABELS["stay"]],
        "work": rights[LABELS["work"]],
    }


def _context(attestation: Attestation) -> dict:
    snapshot = attestation.holder_snapshot
    application = attestation.application
    ground = attestation.ground
    url = signing.verification_url(attestation)
    qr = _printed_qr(url)
    legal_text = attestation.rights.get("legal_text") or {}
    return {
        "show_state_brand": settings.PORTAL_SHOW_STATE_BRAND,
        "operator_name": settings.PORTAL_OPERATOR_NAME,
        "labels": LABELS,
        "title": TITLES.get(attestation.kind, Bilingual("Attestation", "Attestation")),
        "number": attestation.number,
        "holder": {
            "name": " ".join(
                part
                for part in (
                    (snapshot.get("last_name") or "").upper(),
                    snapshot.get("first_name") or "",
                )
                if part
            ),
            "birth_date": _birth_date(snapshot),
            "nationality": snapshot.get("nationality", ""),
            "foreigner_number": snapshot.get("foreigner_number", ""),
            "address": snapshot.get("address", ""),
        },
        "ground": (
            {
                "label": Bilingual(ground.label_fr, ground.label_en or ground.label_fr),
                "article": ground.ceseda_article,
            }
            if ground is not None
            else None
        ),
        "procedure": PROCEDURES.get(application.kind) if application is not None else None,
        "reference": application.reference if application is not None else "",
        "headline": _headline(attestation),
        # The first line is in the headline box; the others explain it.
        "validity_details": _validity(attestation)[1:],
        # The contact centre's own words on what stopped the person (technical impossibility).
        "blocking": attestation.rights.get("blocking", ""),
        # Stay and work are in the headline box.
        "rights": [
            (label, value)
            for label, value in _rights(attestation)
            if label not in (LABELS["stay"], LABELS["work"])
        ],
        "third": _third_language(attestation),
        "legal_text": Bilingual(legal_text.get("fr", ""), legal_text.get("en", "")),
        "prefecture": attestation.prefecture,
        "issued_on": _dates(attestation.issue_on),
        "qr_image": qr.data_uri,
        # Lengths as CSS text: a float in a template would print "56,7" in French.
        "qr_size": f"{qr.size_mm:.1f}mm",
        "qr_column": f"{qr.size_mm + 4:.1f}mm",
        # The address a person can type: the QR code holds the same one with the signed token.
        "verify_url": url.split("?", 1)[0],
        # The checker's guide (issue 21), short enough to type: the site without its scheme.
        "guide_url": _short(f"{settings.SITE_URL}{reverse('verify_guide')}"),
    }


def _short(url: str) -> str:
    return url.split("://", 1)[-1]


# --- Rendering ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def print_stylesheet() -> CSS:
    """The print stylesheet, read and parsed once per worker process (never the site's CSS)."""
    return CSS(filename=str(STYLESHEET))


def _url_fetcher() -> URLFetcher:
    """The document embeds everything it needs (the QR code as a data: URI): nothing is
    fetched from the network or the disk while rendering, whatever the data contains."""
    return URLFetcher(allowed_protocols={"data"}, timeout=5)


def attestation_pdf_html(attestation: Attestation) -> str:
    """The HTML the PDF is made from (select_related application__renews_permit, ground,
    prefecture)."""
    return render_to_string(TEMPLATE, _context(attestation))


# Tagged PDF declared PDF/UA-1: a screen reader follows the headings, tables and reading order,
# and the QR code has its text alternative.
PDF_VARIANT = "pdf/ua-1"


def attestation_pdf_render(attestation: Attestation) -> bytes:
    """The attestation as a one-page A4 PDF."""
    html = HTML(string=attestation_pdf_html(attestation), url_fetcher=_url_fetcher())
    return html.write_pdf(stylesheets=[print_stylesheet()], pdf_variant=PDF_VARIANT)


# --- Storing ------------------------------------------------------------------------------------


def attestation_pdf_is_stored(attestation: Attestation) -> bool:
    """A PDF is stored and still says what the attestation says."""
    return (
        attestation.pdf_rendered_at is not None
        and bool(attestation.pdf.name)
        and attestation.pdf.storage.exists(attestation.pdf.name)
    )


def attestation_pdf_store(
    attestation_id: int, *, force: bool = False, skip_locked: bool = False
) -> bool:
    """Render and store one attestation's PDF; True if a PDF was written.

    Idempotent: the row is locked, and an attestation whose PDF is stored and up to date
    (`pdf_rendered_at` is reset when what it prints changes) is left alone unless `force`.
    The file goes to the attestation's deterministic key, replacing any older file. With
    `skip_locked`, a row another worker is rendering is skipped instead of waited for.
    """
    with transaction.atomic():
        attestation = (
            Attestation.objects.select_for_update(of=("self",), skip_locked=skip_locked)
            .select_related("application__renews_permit", "ground", "prefecture", "permit__ground")
            .filter(pk=attestation_id)
            .first()
        )
        if attestation is None or (not force and attestation_pdf_is_stored(attestation)):
            return False
        content = attestation_pdf_render(attestation)
        key = pdf_storage_key(attestation, "")
        storage = attestation.pdf.storage
        storage.delete(key)  # the same key every time: replace, never pile up copies
        attestation.pdf.save(key, ContentFile(content), save=False)
        if attestation.pdf.name != key:
            logger.warning(
                "Attestation %s: PDF stored as %s instead of %s",
                attestation.number,
                attestation.pdf.name,
                key,
            )
        attestation.pdf_rendered_at = timezone.now()
        attestation.save(update_fields=["pdf", "pdf_rendered_at"])
    return True


def attestation_pdfs_render_missing(batch_size: int = 50) -> int:
    """Render every attestation whose PDF is missing or out of date, `batch_size` at a time.

    One attestation that fails is logged and left for the next run; it never stops the others.
    Returns how many PDFs were written.
    """
    rendered = 0
    last_pk = 0
    while True:
        ids = list(
            Attestation.objects.filter(pdf_rendered_at__isnull=True, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return rendered
        for pk in ids:
            try:
                rendered += attestation_pdf_store(pk, skip_locked=True)
            except Exception:
                logger.exception("The PDF of attestation %s could not be rendered", pk)
        last_pk = ids[-1]
