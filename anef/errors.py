"""The one error a service raises when the rules refuse a request (issue 19).

`DomainError(code, message, **params)`: `code` is stable English that clients and views may
branch on, `message` is plain language for the person (already translated, or lazy), `params`
are facts that help (which file, which reference). The HTTP status is the raiser's to give
(`http_status=`), else it follows the code's family below, else 400. One DRF handler
(`anef/api_errors.py`) turns it into `{"code", "message", "details"}` with that status; one
helper (`anef/page_errors.py`) shows it on a page. Views never translate codes to statuses.

The families keep every answer the API gave before the per-app error classes were merged:
a code in none of them stays a 400.
"""

from typing import Any

# "This already exists / was already done": the request is understood but conflicts with what
# is recorded. These are the codes the API answered with 409 before issue 19.
CONFLICT_CODES = frozenset(
    {
        "already_revoked",
        "duplicate",
        "foreigner_number_taken",
        "permit_duplicate",
        "slot_full",
    }
)

# "Not for you": the rules know who asks and refuse them. No API path reaches these codes
# today (the API's permission classes and scoped querysets refuse earlier, with the same
# status); the pages use the status (a confirmation link opened in another account is a 403).
FORBIDDEN_CODES = frozenset(
    {
        "forbidden",
        "four_eyes",
        "link_other_account",
        "not_holder",
        "not_supervisor",
        "not_yours",
    }
)

# "Nothing here": a link or token that leads nowhere.
NOT_FOUND_CODES = frozenset({"unknown_link"})

BAD_REQUEST = 400


def status_for(code: str) -> int:
    """The HTTP status of a refusal with this code when its raiser gives none."""
    if code in CONFLICT_CODES:
        return 409
    if code in FORBIDDEN_CODES:
        return 403
    if code in NOT_FOUND_CODES:
        return 404
    return BAD_REQUEST


class DomainError(Exception):
    """A request the rules refuse; `message` is plain language for the person or the agent."""

    def __init__(self, code: str, message: Any, *, http_status: int | None = None, **params: Any):
        self.code, self.message, self.params = code, message, params
        self.http_status = http_status or status_for(code)
        super().__init__(f"{code}: {message}")
