"""The rights an attestation states (DESIGN.md §1 point 2): a pure rule, no database."""

from dataclasses import dataclass

from attestations.rules import DEPOSIT_RECEIPT

# --- Rights stated on an attestation -------------------------------------------------------------


@dataclass(frozen=True)
class Rights:
    """What the attestation lets its holder do, stated explicitly (DESIGN.md §1 point 2)."""

    stay: bool
    work: str  # "full", "limited", "none" (reference.enums.RightToWork)
    work_limitation: str
    benefits_and_housing: bool


def rights_for(kind: str, *, work: str, work_limitation: str) -> Rights:
    """A deposit receipt proves no right (R. 431-15-1); an API carries the rights of the permit
    renewed, an ADF those of the ground decided, both with access to benefits and housing as a
    récépissé does."""
    if kind == DEPOSIT_RECEIPT:
        return Rights(stay=False, work="none", work_limitation="", benefits_and_housing=False)
    return Rights(
        stay=True,
        work=work,
        work_limitation=work_limitation if work == "limited" else "",
        benefits_and_housing=True,
    )
