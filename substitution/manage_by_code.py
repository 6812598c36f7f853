"""Managing a booking without an account (issue 21): a person who lost their private link types
their case's reference and the e-mail address or phone number of the case; a one-time code is
sent there (anef.one_time_codes) and, typed back, opens the case's page (its private link).

Attacks this answers:
- **Enumerating references**: the answer to a request is the same whether the reference exists,
  the address matches it or not, or the address had too many codes: nothing tells them apart,
  and no code leaves for a pair that does not match.
- **Brute-forcing the code**: one_time_codes closes a code after 5 wrong answers and sends at
  most 3 codes an hour and 10 a day to one address or number (per number, whatever the case):
  50 guesses a day out of a million. Every refusal of a code reads the same.
- **A code used on another case**: the code is bound to its purpose, which names the case's
  reference, and to the address: typed for another case, it opens nothing.
"""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from anef.enums import OneTimeCodeChannel
from anef.errors import DomainError
from anef.one_time_codes import normalise_destination, one_time_code_send, one_time_code_verify
from substitution.enums import CaseStatus
from substitution.models import SubstitutionCase

CODE_REFUSED = _("This code is not right or has expired. Ask for a new code.")


def _purpose(case: SubstitutionCase) -> str:
    return f"substitution_manage:{case.reference}"


def _matching(reference: str, contact: str) -> tuple[SubstitutionCase, str, str] | None:
    """The open case without an account of this reference whose e-mail or phone is `contact`,
    with the channel and the case's own address; None for anything else."""
    reference = (reference or "").strip().upper()
    if not reference or len(reference) > 16:
        return None
    case = (
        SubstitutionCase.objects.filter(reference=reference, person__isnull=True)
        .exclude(status=CaseStatus.CLOSED)
        .first()
    )
    if case is None or not contact:
        return None
    if "@" in contact:
        channel, own = OneTimeCodeChannel.EMAIL, case.contact_email
    else:
        channel, own = OneTimeCodeChannel.SMS, case.contact_phone
    given = normalise_destination(channel, contact)
    if not own or not given or normalise_destination(channel, own) != given:
        return None
    return case, channel, own


def manage_code_send(*, reference: str, contact: str, now: datetime | None = None) -> None:
    """Send a code to the case's address if the pair matches; silent otherwise (see above)."""
    found = _matching(reference, contact)
    if found is None:
        return
    case, channel, own = found
    try:
        one_time_code_send(purpose=_purpose(case), destination=own, channel=channel, now=now)
    except DomainError:  # too many codes to this address: told like everything else
        return


def manage_code_verify(
    *, reference: str, contact: str, code: str, now: datetime | None = None
) -> SubstitutionCase:
    """The case the code opens; one refusal for every failure (no code, wrong, expired, too
    many attempts, no such case)."""
    found = _matching(reference, contact)
    if found is None:
        raise DomainError("code_refused", CODE_REFUSED)
    case, channel, own = found
    try:
        one_time_code_verify(
            purpose=_purpose(case), destination=own, code=code, channel=channel, now=now
        )
    except DomainError:
        raise DomainError("code_refused", CODE_REFUSED) from None
    return case
