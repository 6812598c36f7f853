"""Attestation pages: the portal's (views/portal.py) and the back office's (views/backoffice.py).

Both read attestations only through `attestation_list_visible_to(request.user)`, so another
person's or another prefecture's attestation is a 404, and both serve the PDF the same way:
from storage, rendered on demand (then stored) when the file is missing or out of date.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from attestations.enums import AttestationKind, EndReason
from attestations.models import Attestation
from attestations.pdf import attestation_pdf_is_stored, attestation_pdf_store

logger = logging.getLogger(__name__)

# What each state means for the holder and agents, in plain words, and the DSFR badge that shows
# it. Unlike a checker, the holder and agents read why an attestation ended.
STATE_WORDS = {
    "valid": (pgettext_lazy("attestation status", "Valid"), "success"),
    "not_yet_valid": (_("Ready, valid from the date below"), "info"),
    "expired": (_("Expired"), ""),
    EndReason.SUPERSEDED: (_("Replaced by a newer attestation"), ""),
    EndReason.CARD_HANDED_OVER: (_("Ended: the card was handed over"), ""),
    EndReason.REFUSED: (_("No longer valid: the application was refused"), "error"),
    EndReason.CLOSED: (_("No longer valid: the application was closed"), "error"),
    EndReason.WITHDRAWN: (_("No longer valid: the application was withdrawn"), "error"),
    EndReason.ISSUED_IN_ERROR: (_("No longer valid: it was issued in error"), "error"),
}


@dataclass(frozen=True)
class AttestationRow:
    """One attestation as a page shows it."""

    attestation: Attestation
    state: str
    tone: str
    is_current: bool
    starts_later: bool
    legal_text: str
    replaced_number: str = ""


def current_first(queryset: QuerySet[Attestation]) -> QuerySet[Attestation]:
    """Attestations still in use (valid, or issued ahead) first, then the newest."""
    today = timezone.localdate()
    in_use = queryset.current(today).values("pk")
    return queryset.annotate(
        _current=Case(
            When(pk__in=in_use, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("_current", "-valid_from", "-pk")


def _legal_text(attestation: Attestation) -> str:
    texts = attestation.rights.get("legal_text") or {}
    language = (get_language() or "fr").split("-")[0]
    return texts.get(language) or texts.get("fr", "")


def attestation_row(attestation: Attestation, today: date) -> AttestationRow:
    state_code = attestation.state_on(today)
    is_current = state_code in ("valid", "not_yet_valid")
    starts_later = state_code == "not_yet_valid"
    state, tone = STATE_WORDS.get(state_code, (state_code, ""))
    if attestation.kind == AttestationKind.DEPOSIT_RECEIPT and is_current:
        state, tone = _("Proof of filing"), "info"
    return AttestationRow(
        attestation=attestation,
        state=str(state),
        tone=tone,
        is_current=is_current,
        starts_later=starts_later,
        legal_text=_legal_text(attestation),
        replaced_number=attestation.replaces.number if attestation.replaces_id else "",
    )


def attestation_rows(attestations: Iterable[Attestation], today: date) -> list[AttestationRow]:
    return [attestation_row(attestation, today) for attestation in attestations]


def attestation_pdf_response(
    request: HttpRequest, attestation: Attestation, *, inline: bool = False
) -> HttpResponse:
    """Stream the stored PDF; render and store it first if it is missing or out of date."""
    if not attestation_pdf_is_stored(attestation):
        try:
            attestation_pdf_store(attestation.pk, force=True)
        except Exception:
            logger.exception("On-demand PDF of attestation %s failed", attestation.number)
            return render(
                request,
                "attestations/pdf_unavailable.html",
                {"attestation": attestation},
                status=503,
            )
        attestation.refresh_from_db(fields=["pdf", "pdf_rendered_at"])
    response = FileResponse(
        attestation.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=not inline,
        filename=f"{attestation.number}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
