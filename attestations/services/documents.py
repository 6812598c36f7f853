"""What a new attestation prints besides its dates: the holder's data as they are today
(`holder_snapshot_of`), the rights it gives, read from data (the permit renewed for an API,
the ground decided for an ADF), and its legal sentence in French, English and Arabic."""

from applications.models import Application
from attestations.enums import AttestationKind
from attestations.rights import rights_for
from attestations.rules import API

BENEFITS_SENTENCE = {
    "fr": (
        "Accompagnée du titre de séjour expiré, cette attestation prouve la régularité du séjour "
        "(CESEDA, art. R. 431-15-1). Elle ouvre les mêmes droits qu'un récépissé : prestations "
        "sociales, logement, inscription à France Travail."
    ),
    "en": (
        "Together with the expired residence permit, this attestation proves lawful residence "
        "(CESEDA, art. R. 431-15-1). It gives the same rights as a récépissé: social benefits, "
        "housing, registration with France Travail."
    ),
    "ar": (
        "هذه الشهادة، مرفقةً بتصريح الإقامة المنتهية صلاحيته، تثبت قانونية الإقامة (CESEDA، "
        "المادة R. 431-15-1). وتمنح نفس الحقوق التي يمنحها وصل الإيداع (récépissé): المساعدات "
        "الاجتماعية، والسكن، والتسجيل لدى France Travail."
    ),
}
DEPOSIT_SENTENCE = {
    "fr": (
        "Cette attestation prouve la date de dépôt de la demande. Elle ne prouve pas, à elle "
        "seule, la régularité du séjour (CESEDA, art. R. 431-15-1)."
    ),
    "en": (
        "This certificate proves the date the application was filed. It does not by itself "
        "prove lawful residence (CESEDA, art. R. 431-15-1)."
    ),
    "ar": (
        "تثبت هذه الشهادة تاريخ إيداع الطلب. ولا تثبت وحدها قانونية الإقامة (CESEDA، المادة "
        "R. 431-15-1)."
    ),
}


def holder_snapshot_of(user) -> dict:
    """The holder's data as printed on a new attestation."""
    profile = getattr(user, "applicant_profile", None)
    snapshot = {"first_name": user.first_name, "last_name": user.last_name}
    if profile is not None:
        snapshot.update(
            birth_date=profile.birth_date.isoformat(),
            nationality=profile.nationality,
            foreigner_number=profile.foreigner_number or "",
            address=f"{profile.address_line}, {profile.postal_code} {profile.city}",
        )
    return snapshot


def _rights(application: Application, kind: str) -> dict:
    """Rights come from data: the permit renewed (API) or the ground decided (ADF)."""
    if kind == API and application.renews_permit is not None:
        source_work = application.renews_permit.right_to_work
        limitation = application.renews_permit.work_limitation
    else:
        source_work = application.ground.right_to_work
        limitation = application.ground.work_limitation_fr
    if source_work == "as_held" and application.renews_permit is not None:
        source_work = application.renews_permit.right_to_work
        limitation = application.renews_permit.work_limitation
    rights = rights_for(kind, work=source_work, work_limitation=limitation)
    sentence = DEPOSIT_SENTENCE if kind == AttestationKind.DEPOSIT_RECEIPT else BENEFITS_SENTENCE
    return {
        "stay": rights.stay,
        "work": rights.work,
        "work_limitation": rights.work_limitation,
        "benefits_and_housing": rights.benefits_and_housing,
        "legal_text": sentence,
    }
