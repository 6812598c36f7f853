"""What a checker reads when a verification cannot be completed (issue 21): never a bare
"invalid". An unknown number, a typing mistake, an altered QR code or a refused share code each
say what they mean — and what they do not mean: nothing about the person's rights —, what the
checker can do, what the holder can do, and the day the answer was given.

The same answer on the pages (`attestations/verify/_unclear.html`) and in the JSON API's error
`details` (stable `code`s below), built here once. No query: the caller gives `today`.
"""

from dataclasses import asdict, dataclass, field
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# Stable codes of the JSON API (and of the pages' answers).
NOT_FOUND = "not_found"
INVALID_NUMBER = "invalid_number"
INVALID_TOKEN = "invalid_token"  # noqa: S105 (an error code, not a secret)
OTHER_ATTESTATION = "other_attestation"
SHARE_CODE_REFUSED = "share_code_refused"


@dataclass(frozen=True)
class UnclearAnswer:
    code: str
    meaning: str
    not_meaning: str
    checker_can: list[str] = field(default_factory=list)
    holder_can: list[str] = field(default_factory=list)
    checked_on: date | None = None
    checked_on_text: str = ""
    guide_url: str = ""
    contact_url: str = ""

    def as_details(self) -> dict:
        """The API's `details`: plain values, the day as YYYY-MM-DD."""
        details = asdict(self)
        details["checked_on"] = self.checked_on.isoformat() if self.checked_on else None
        return details


def guide_url() -> str:
    return f"{settings.SITE_URL}{reverse('verify_guide')}"


def checker_contact_url() -> str:
    return f"{settings.SITE_URL}{reverse('support_public:contact')}?category=checker"


def answer_delay_days() -> int:
    """The working days within which the contact centre answers a checker (its first-answer
    commitment, the same for everyone)."""
    return settings.SUPPORT_FIRST_RESPONSE_WORKING_DAYS


def _ask_us() -> str:
    return _(
        "Still unsure? Write to us with the number as printed (choose « I am checking an "
        "attestation »): we answer within %(days)s working days, and only with what this page "
        "can show."
    ) % {"days": answer_delay_days()}


def _not_rights() -> str:
    return _(
        "It does not mean that the person has no right to stay or to work: it only means this "
        "check could not be completed."
    )


def unclear_answer(code: str, *, today: date, number: str = "") -> UnclearAnswer:
    """The plain answer for a verification that could not be completed."""
    holder_space = _(
        "The person can open their online space, check the number there and give you a share "
        "code, or download the attestation again."
    )
    if code == NOT_FOUND:
        meaning = _(
            "We could not find the number %(number)s. Check that it was typed exactly as printed."
        ) % {"number": number}
        checker = [
            _(
                "Compare each character with the document: 0 and O, 1 and I, 5 and S are easy "
                "to mix up."
            ),
            _("Scan the QR code printed on the attestation instead of typing the number."),
            _ask_us(),
        ]
        holder = [
            holder_space,
            _(
                "A paper receipt given at a prefecture desk may not be in this service yet: the "
                "person can ask that prefecture for a written confirmation."
            ),
        ]
    elif code == INVALID_NUMBER:
        meaning = _(
            "This is not a possible attestation number: one character is wrong or missing. "
            "Nothing was looked up."
        )
        checker = [
            _("Type the number again, as printed, or scan the QR code."),
            _ask_us(),
        ]
        holder = [holder_space]
    elif code in (INVALID_TOKEN, OTHER_ATTESTATION):
        meaning = (
            _(
                "The QR code was issued by us, but for another attestation than this number. "
                "The document may have been altered: do not rely on it as it is."
            )
            if code == OTHER_ATTESTATION
            else _(
                "The QR code could not be confirmed: it was altered, damaged, or not issued by "
                "us. Do not rely on the document as it is."
            )
        )
        checker = [
            _("Type the attestation's number instead: the page shows what we recorded for it."),
            _("Ask the person for the original attestation, or for a share code."),
            _(
                "If you think the document is forged, tell the prefecture named on it; do not "
                "accuse the person: a photocopy or a damaged print can break a QR code."
            ),
            _ask_us(),
        ]
        holder = [holder_space]
    else:  # SHARE_CODE_REFUSED
        meaning = _(
            "This share code does not open an attestation: it was mistyped, withdrawn or has "
            "expired."
        )
        checker = [
            _("Ask the person for a new share code, or for the attestation's number."),
            _ask_us(),
        ]
        holder = [
            _("The person can create a new share code in their online space, in one minute."),
        ]
    return UnclearAnswer(
        code=code,
        meaning=meaning,
        not_meaning=_not_rights(),
        checker_can=checker,
        holder_can=holder,
        checked_on=today,
        checked_on_text=_("Checked on %(date)s.") % {"date": date_format(today, "DATE_FORMAT")},
        guide_url=guide_url(),
        contact_url=checker_contact_url(),
    )
