"""Residence permits a person holds or held, declared by the person or recorded at a handover."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef.audit import audit_action
from anef.errors import DomainError
from applications.models import ResidencePermit
from reference.models import Ground

# --- Permits ------------------------------------------------------------------------------------


@transaction.atomic
def permit_declare(
    *,
    holder: User,
    number: str,
    card_type: str,
    valid_from: date,
    valid_until: date,
    actor: User,
    ground: Ground | None = None,
    handed_over: bool = True,
    handed_over_on: date | None = None,
) -> ResidencePermit:
    """Declare a residence permit the person holds or held (number, type, validity, handover)."""
    if valid_until <= valid_from:
        raise DomainError("permit_dates", _("The end date must come after the start date."))
    if handed_over and handed_over_on is None:
        handed_over_on = valid_from
    permit = ResidencePermit(
        holder=holder,
        number=number.strip().upper(),
        card_type=card_type,
        ground=ground,
        valid_from=valid_from,
        valid_until=valid_until,
        handed_over=handed_over,
        handed_over_on=handed_over_on if handed_over else None,
        right_to_work=ground.right_to_work if ground else "full",
        work_limitation=ground.work_limitation_fr if ground else "",
    )
    try:
        with transaction.atomic():
            permit.save()
    except IntegrityError as exc:
        raise DomainError(
            "permit_duplicate", _("You have already declared a card with this number.")
        ) from exc
    audit_action(instance=permit, actor=actor, action="permit_declare")
    return permit
