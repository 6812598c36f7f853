"""The contact centre's written acknowledgement of a technical impossibility (DESIGN.md §3
"support"): not part of any dossier's ledger, issued by the support service that confirms
the blocking."""

from datetime import date

from django.utils import timezone

from anef import generations
from attestations import numbers
from attestations.enums import AttestationKind
from attestations.models import Attestation
from attestations.services.sweep import _after_issuance_on_commit

TECHNICAL_IMPOSSIBILITY_SENTENCE = {
    "fr": (
        "L'administration a constaté qu'une difficulté technique empêche cette personne "
        "d'accomplir sa démarche en ligne. Elle est orientée vers une voie de substitution "
        "(rendez-vous en préfecture, dépôt par courrier ou par courriel), comme l'a ordonné le "
        "Conseil d'État (décision n° 502860 du 5 mai 2026). Ce document ne prouve pas, à lui "
        "seul, la régularité du séjour."
    ),
    "en": (
        "The administration has confirmed that a technical difficulty prevents this person from "
        "completing their application online. They are directed to another way of applying "
        "(an appointment at the prefecture, filing by post or by e-mail), as the Conseil d'État "
        "ordered (decision No. 502860 of 5 May 2026). This document does not by itself prove "
        "lawful residence."
    ),
    "ar": (
        "أقرّت الإدارة بأن صعوبة تقنية تمنع هذا الشخص من إتمام إجراءاته عبر الإنترنت، ويُوجَّه "
        "إلى طريقة بديلة (موعد في المحافظة، أو إيداع بالبريد أو بالبريد الإلكتروني) كما أمر "
        "بذلك مجلس الدولة (القرار رقم 502860 الصادر في 5 مايو 2026). ولا تثبت هذه الوثيقة "
        "وحدها قانونية الإقامة."
    ),
}


def issue_technical_impossibility(
    *,
    holder_snapshot: dict,
    blocking_description: str,
    holder=None,
    prefecture=None,
    today: date | None = None,
) -> Attestation:
    """The contact centre's written acknowledgement that a technical blocking stops the person
    (DESIGN.md §3 "support"): it states the blocking and the date it was confirmed, and that the
    person is sent to the substitution path. `holder` is the person's account if they have one
    (many who need this cannot create one): the snapshot carries their name either way.

    The caller (the support service confirming a ticket) runs it in its own transaction and
    guarantees one acknowledgement per confirmation (a unique link from its own record).
    """
    description = blocking_description.strip()
    if not description:
        raise ValueError("A technical impossibility needs a description of the blocking.")
    if not (holder_snapshot.get("first_name") or holder_snapshot.get("last_name")):
        raise ValueError("The acknowledgement must name the person.")
    today = today or timezone.localdate()
    attestation = Attestation.objects.create(
        number=numbers.new_number(AttestationKind.TECHNICAL_IMPOSSIBILITY, today.year),
        kind=AttestationKind.TECHNICAL_IMPOSSIBILITY,
        holder=holder,
        valid_from=today,
        valid_until=None,
        issue_on=today,
        holder_snapshot=holder_snapshot,
        rights={
            "stay": False,
            "work": "none",
            "work_limitation": "",
            "benefits_and_housing": False,
            "legal_text": TECHNICAL_IMPOSSIBILITY_SENTENCE,
            "blocking": description,
        },
        prefecture=prefecture,
    )
    generations.bump_person(getattr(holder, "pk", None))
    _after_issuance_on_commit()
    return attestation
