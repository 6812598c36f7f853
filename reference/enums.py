"""The vocabulary of the reference catalogue: procedures, cards, rights, decision kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The languages every text of the catalogue shown to people is written in; French first (the
# reference, and the fallback when a translation is missing from the database).
REFERENCE_LANGUAGES = ("fr", "en", "ar")


class ProcedureKind(models.TextChoices):
    """What a person asks for (DESIGN.md §3, `ProcedureKind`)."""

    FIRST_APPLICATION = "first_application", _("First application")
    RENEWAL = "renewal", _("Renewal")
    CHANGE_OF_STATUS = "change_of_status", _("Change of status")
    CHANGE_OF_SITUATION = "change_of_situation", _("Change of situation")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document")
    DUPLICATE = "duplicate", _("Duplicate of a lost or stolen card")


class CardType(models.TextChoices):
    """The document a decision on a ground produces."""

    TEMPORARY = "temporary", _("Temporary residence card (carte de séjour temporaire)")
    MULTI_YEAR = "multi_year", _("Multi-year residence card (carte de séjour pluriannuelle)")
    TALENT_PASSPORT = "talent_passport", _("Multi-year card « talent passport »")
    RESIDENT = "resident", _("Resident card (carte de résident)")
    RESIDENT_LONG_TERM_EU = "resident_long_term_eu", _("Long-term EU resident card")
    RECEIPT = "receipt", _("Receipt (récépissé) pending a decision")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document")
    SAME_AS_HELD = "same_as_held", _("A new card of the same kind as the card held")


class RightToWork(models.TextChoices):
    FULL = "full", _("May work")
    LIMITED = "limited", _("May work, with limits")
    NONE = "none", _("May not work")
    # Procedures on an existing card (change of situation, duplicate, multi-year card with the
    # same mention) keep the rights of the card held: attestations copy them from that permit.
    AS_HELD = "as_held", _("Same right to work as the card held")


class DecisionKind(models.TextChoices):
    REFUSAL = "refusal", _("Refusal")
    CLOSURE = "closure", _("Closure")
