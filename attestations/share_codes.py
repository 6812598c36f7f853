"""Share codes: the holder lets one named verifier (an employer, a landlord, a bank…) see the
facts of one attestation, for a limited time (DESIGN.md §3 "Verification").

The holder decides who sees what and for how long, sees every consultation, and can revoke the
code at any time. A consultation records only the time and the browser's self-description:
never an IP address.
"""

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anef import holds
from anef.audit import audit_action
from anef.errors import DomainError
from attestations import numbers
from attestations.models import Attestation, ShareCode, ShareCodeConsultation, VerifierKind
from attestations.verification import VerificationStatus, effective_status

CODE_LENGTH = 10
CODE_GROUP = 5  # shown as two groups of five: 7K3M9-Q2XRB
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 30, 7
USER_AGENT_MAX = 200
VERIFIER_NAME_MAX = 200
# An attestation may be shared while it is in force or before it starts (an API is in the
# person's hands 15 days ahead, and an employer may want to see it before the card expires).
SHAREABLE = (VerificationStatus.VALID, VerificationStatus.NOT_YET_VALID)


# --- Codes --------------------------------------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(numbers.ALPHABET) for _position in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """For reading aloud and typing: groups of five separated by a dash."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalise_code(text: str) -> str:
    """What a verifier typed, made comparable: no spaces or dashes, upper case, and the letters
    people mistake for digits read as digits (O→0, I and L→1), as for attestation numbers."""
    cleaned = "".join(character for character in (text or "").upper() if character.isalnum())
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


def share_code_state(share_code: ShareCode, now: datetime | None = None) -> str:
    """`active`, `revoked` or `expired`."""
    now = now or timezone.now()
    if share_code.revoked_at is not None:
        return "revoked"
    if share_code.expires_at <= now:
        return "expired"
    return "active"


# --- Reads --------------------------------------------------------------------------------------


def share_code_list_for_holder(user) -> QuerySet[ShareCode]:
    """The codes a holder created, with their consultations (two queries whatever the count)."""
    if not getattr(user, "is_authenticated", False):
        return ShareCode.objects.none()
    return (
        ShareCode.objects.filter(created_by=user)
        .select_related("attestation")
        .prefetch_related(
            Prefetch("consultations", queryset=ShareCodeConsultation.objects.order_by("-pk"))
        )
        .order_by("-created_at", "-pk")
    )


# --- Writes -------------------------------------------------------------------------------------


def share_code_create(
    *,
    attestation: Attestation,
    actor,
    verifier_name: str,
    verifier_kind: str,
    valid_days: int = DEFAULT_DAYS,
    now: datetime | None = None,
) -> ShareCode:
    """A new code for one verifier. Only the holder may create it, only for an attestation in
    force (or about to be), for 1 to 30 days."""
    now = now or timezone.now()
    if attestation.holder_id is None or attestation.holder_id != getattr(actor, "pk", None):
        raise DomainError("not_holder", _("Only the person named on the attestation can share it."))
    # issue 15: support holds a recovered account's documents (registered in anef.holds).
    if (hold := holds.hold_for(actor, now)) is not None:
        raise DomainError("recovery_hold", hold.message)
    status = effective_status(attestation, timezone.localdate(now), has_newer=False)
    if status not in SHAREABLE:
        raise DomainError(
            "attestation_not_valid",
            _("This attestation is no longer valid: share the attestation in force instead."),
        )
    verifier_name = (verifier_name or "").strip()
    if not verifier_name:
        raise DomainError(
            "verifier_name_missing", _("Say who the code is for (for example, the employer).")
        )
    if len(verifier_name) > VERIFIER_NAME_MAX:
        raise DomainError(
            "verifier_name_too_long",
            _("The name is too long (%(max)s characters at most).") % {"max": VERIFIER_NAME_MAX},
        )
    if verifier_kind not in VerifierKind.values:
        raise DomainError("verifier_kind_invalid", _("Choose who the code is for."))
    if not isinstance(valid_days, int) or not MIN_DAYS <= valid_days <= MAX_DAYS:
        raise DomainError(
            "duration_invalid",
            _("A code lasts from %(min)s to %(max)s days.") % {"min": MIN_DAYS, "max": MAX_DAYS},
        )
    for _attempt in range(5):  # 32^10 codes: a collision is all but impossible, never fatal
        try:
            with transaction.atomic():
                share_code = ShareCode.objects.create(
                    attestation=attestation,
                    created_by=actor,
                    code=_new_code(),
                    verifier_name=verifier_name,
                    verifier_kind=verifier_kind,
                    expires_at=now + timedelta(days=valid_days),
                    created_at=now,
                )
                audit_action(
                    instance=share_code,
                    actor=actor,
                    action="share_code_create",
                    details={
                        "attestation": attestation.number,
                        "verifier_kind": verifier_kind,
                        "expires_at": share_code.expires_at.isoformat(),
                    },
                )
                return share_code
        except IntegrityError:
            continue
    raise DomainError("try_again", _("The code could not be created. Please try again."))


def share_code_revoke(*, share_code: ShareCode, actor, now: datetime | None = None) -> ShareCode:
    """The code stops working at once. Revoking twice changes nothing."""
    now = now or timezone.now()
    if share_code.created_by_id != getattr(actor, "pk", None):
        raise DomainError("not_holder", _("Only the person who created this code can revoke it."))
    with transaction.atomic():
        locked = ShareCode.objects.select_for_update().get(pk=share_code.pk)
        if locked.revoked_at is None:
            locked.revoked_at = now
            locked.save(update_fields=["revoked_at"])
            audit_action(
                instance=locked,
                actor=actor,
                action="share_code_revoke",
                changes={"revoked_at": (None, now)},
            )
    share_code.revoked_at = locked.revoked_at
    return share_code


def share_code_consult(
    *, code: str, user_agent: str = "", now: datetime | None = None
) -> ShareCode:
    """A verifier uses a code: refused when unknown, revoked or expired; otherwise the
    consultation is recorded for the holder to see, and the code returned with its attestation."""
    now = now or timezone.now()
    normalised = normalise_code(code)
    if len(normalised) != CODE_LENGTH or any(
        character not in numbers.ALPHABET for character in normalised
    ):
        raise DomainError(
            "malformed",
            _("A share code has 10 letters and digits, like 7K3M9-Q2XRB. Check what you typed."),
        )
    with transaction.atomic():
        share_code = (
            ShareCode.objects.select_for_update(of=("self",))
            .select_related("attestation__prefecture")
            .filter(code=normalised)
            .first()
        )
        if share_code is None:
            raise DomainError(
                "unknown",
                _("This code does not exist. Check what you typed, or ask the person again."),
            )
        state = share_code_state(share_code, now)
        if state == "revoked":
            raise DomainError(
                "revoked",
                _("The person has withdrawn this code. Ask them for a new one if needed."),
            )
        if state == "expired":
            raise DomainError(
                "expired", _("This code has expired. Ask the person for a new one if needed.")
            )
        ShareCodeConsultation.objects.create(
            share_code=share_code,
            consulted_at=now,
            user_agent=(user_agent or "")[:USER_AGENT_MAX],
        )
    return share_code
