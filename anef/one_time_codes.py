"""One-time codes: prove that a person reads an address before acting on what it stands for
(issue 15: substitution booking only for a real person; later the phone number of the work on
reaching people by SMS). One service for every use, told apart by `purpose`.

- The code is short and numeric (typed from a phone), random (`secrets`), valid
  `CODE_LIFETIME`, closed at the first right answer (single use) or after `MAX_ATTEMPTS` wrong
  ones; asking for a new code replaces the previous one.
- At most `MAX_CODES_PER_HOUR` codes (and `MAX_CODES_PER_DAY`) per address, whatever the
  purpose: an address cannot be flooded, and each address gives at most
  MAX_CODES_PER_DAY × MAX_ATTEMPTS guesses a day out of 10**CODE_DIGITS.
- Neither the code nor the address is stored in clear: keyed hashes (SECRET_KEY), so a copy of
  the table gives neither; a code's hash is bound to its purpose and address, and the answer is
  compared in constant time.
- A wrong attempt is counted in its own transaction (`durable=True`): no caller's rollback can
  erase it, which would reopen brute force.
- The code is sent after commit by the sender of its channel (`SENDERS`); it is never passed to
  a task queue, where it would sit in clear.
"""

import hmac
import logging
import secrets
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from anef.emails import bilingual_message
from anef.enums import OneTimeCodeChannel, OneTimeCodeClosure
from anef.errors import DomainError
from anef.models import OneTimeCode
from anef.phone import phone_e164
from anef.sms import sms_render, sms_send_now

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=15)
MAX_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 3
MAX_CODES_PER_DAY = 10


def normalise_destination(channel: str, destination: str) -> str:
    """The form of an address that is hashed: an e-mail compared after Unicode normalisation
    and case folding (the form a person types varies, the mailbox does not)."""
    value = unicodedata.normalize("NFKC", destination or "").strip()
    if channel == OneTimeCodeChannel.EMAIL:
        return value.casefold()
    if channel == OneTimeCodeChannel.SMS:
        # One number however it is typed (06 12…, +33 6 12…): the limits per address hold.
        return phone_e164(value) or ""
    return value


def destination_fingerprint(channel: str, destination: str) -> str:
    normalised = normalise_destination(channel, destination)
    if not normalised:
        return ""
    return salted_hmac(
        "anef.one_time_codes.destination", f"{channel}:{normalised}", algorithm="sha256"
    ).hexdigest()


def _code_fingerprint(*, purpose: str, channel: str, destination_hash: str, code: str) -> str:
    return salted_hmac(
        "anef.one_time_codes.code",
        f"{purpose}|{channel}|{destination_hash}|{code}",
        algorithm="sha256",
    ).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


# --- Senders, one per channel -------------------------------------------------------------------


def _send_email(*, destination: str, code: str, lifetime_minutes: int) -> None:
    bilingual_message(
        to=[destination],
        subject=lambda: _("Your confirmation code"),
        template="emails/one_time_code.txt",
        context={"code": code, "minutes": lifetime_minutes},
    ).send()


def _send_sms(*, destination: str, code: str, lifetime_minutes: int) -> None:
    number = phone_e164(destination)
    text = sms_render(
        "one_time_code",
        {"code": code, "minutes": str(lifetime_minutes)},
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    sms_send_now(number=number, text=text)


SENDERS: dict[str, Callable[..., None]] = {
    OneTimeCodeChannel.EMAIL: _send_email,
    OneTimeCodeChannel.SMS: _send_sms,  # issue 21: a phone number proven before texts go to it
}


# --- Services -----------------------------------------------------------------------------------


def one_time_code_send(
    *,
    purpose: str,
    destination: str,
    channel: str = OneTimeCodeChannel.EMAIL,
    now: datetime | None = None,
) -> OneTimeCode:
    """Issue a new code for `purpose` to `destination` and send it after commit; the previous
    live code of the same purpose and address stops working. Refused (DomainError
    "too_many_codes") past the hourly or daily limit of the address."""
    if channel not in SENDERS:
        raise DomainError("channel", _("Codes cannot be sent this way."))
    now = now or timezone.now()
    destination_hash = destination_fingerprint(channel, destination)
    if not destination_hash or not purpose:
        raise DomainError("destination", _("There is no address to send a code to."))
    with transaction.atomic():
        sent = OneTimeCode.objects.filter(
            destination_hash=destination_hash, created_at__gt=now - timedelta(days=1)
        ).values_list("created_at", flat=True)
        last_hour = [moment for moment in sent if moment > now - timedelta(hours=1)]
        if len(last_hour) >= MAX_CODES_PER_HOUR or len(sent) >= MAX_CODES_PER_DAY:
            raise DomainError(
                "too_many_codes",
                _("Too many codes were sent to this address. Wait an hour and try again."),
            )
        OneTimeCode.objects.filter(
            purpose=purpose,
            channel=channel,
            destination_hash=destination_hash,
            closed_at__isnull=True,
        ).update(closed_at=now, closed_reason=OneTimeCodeClosure.REPLACED)
        code = _new_code()
        try:
            with transaction.atomic():
                issued = OneTimeCode.objects.create(
                    purpose=purpose,
                    channel=channel,
                    destination_hash=destination_hash,
                    code_hash=_code_fingerprint(
                        purpose=purpose,
                        channel=channel,
                        destination_hash=destination_hash,
                        code=code,
                    ),
                    created_at=now,
                    expires_at=now + CODE_LIFETIME,
                )
        except IntegrityError:  # another code issued at the same moment: that one stands
            raise DomainError(
                "busy", _("A code is already on its way to this address. Check your messages.")
            ) from None
        sender = SENDERS[channel]
        minutes = int(CODE_LIFETIME.total_seconds() // 60)
        transaction.on_commit(
            lambda: sender(destination=destination, code=code, lifetime_minutes=minutes),
            robust=True,
        )
    return issued


def one_time_code_verify(
    *,
    purpose: str,
    destination: str,
    code: str,
    channel: str = OneTimeCodeChannel.EMAIL,
    now: datetime | None = None,
) -> OneTimeCode:
    """Check `code` for `purpose` and `destination`; the code is then closed (single use).

    Raises DomainError ("no_code", "expired", "wrong", "too_many_attempts"). Runs in its own
    durable transaction, so it cannot be called inside another one: a wrong attempt is counted
    for good, whatever the caller does next."""
    now = now or timezone.now()
    destination_hash = destination_fingerprint(channel, destination)
    answer = "".join((code or "").split())
    with transaction.atomic(durable=True):
        live = (
            OneTimeCode.objects.select_for_update()
            .filter(
                purpose=purpose,
                channel=channel,
                destination_hash=destination_hash,
                closed_at__isnull=True,
            )
            .first()
            if destination_hash
            else None
        )
        outcome = _check(live, purpose=purpose, answer=answer, now=now)
    if outcome != "ok":
        raise DomainError(outcome, MESSAGES[outcome])
    return live


def _check(live: OneTimeCode | None, *, purpose: str, answer: str, now: datetime) -> str:
    if live is None:
        return "no_code"
    if live.expires_at <= now:
        return "expired"
    expected = live.code_hash
    given = _code_fingerprint(
        purpose=purpose, channel=live.channel, destination_hash=live.destination_hash, code=answer
    )
    if hmac.compare_digest(expected, given) and len(answer) == CODE_DIGITS:
        live.closed_at, live.closed_reason = now, OneTimeCodeClosure.USED
        live.save(update_fields=["closed_at", "closed_reason"])
        return "ok"
    live.attempts += 1
    fields = ["attempts"]
    if live.attempts >= MAX_ATTEMPTS:
        live.closed_at, live.closed_reason = now, OneTimeCodeClosure.TOO_MANY_ATTEMPTS
        fields += ["closed_at", "closed_reason"]
    live.save(update_fields=fields)
    return "too_many_attempts" if live.closed_at else "wrong"


MESSAGES = {
    "no_code": _("There is no code waiting for this address. Ask for a new code."),
    "expired": _("This code has expired. Ask for a new code."),
    "wrong": _("This code is not the right one. Check it and try again."),
    "too_many_attempts": _("Too many wrong codes. Ask for a new code."),
}
