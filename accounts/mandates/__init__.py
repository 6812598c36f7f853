"""Mandates: a person lets a helper act for them on the portal (DESIGN.md §3, issue 6).

Every write is one transaction with its audit entry. Who may reach a dossier under a mandate is
decided by `applications.selectors` and `applications.permissions`, which call
`mandate_list_active_for_helper` here.

Consent is proven (issue 15), never taken on a helper's word: a mandate is in force only once
the person gave or confirmed it from their account, confirmed it through the single-use link
sent to their verified address, or a prefecture agent checked their identity and the form they
signed (a scan recorded by the helper — for people who cannot use the portal at all, in prison
or in compulsory hospital care). Until then it is pending, and every access check treats it as
absent (`Mandate.objects.active_on` requires `consented_at`). Starting a mandate never tells the
helper whether an address has an account. The person is told of every step (`mandate_notices`)
and may revoke a mandate at any time; the revocation takes effect at once.

One module per responsibility, every public name re-exported here (callers import
`accounts.mandates`):

- `rules`: how long a mandate lasts, which dossiers it covers;
- `queries`: mandates given, held, in force (`mandate_active_for`), the person's notices;
- `starting`: given by the person, asked for or recorded (signed form) by a helper;
- `consent`: the person confirms from their account or through the single-use link;
- `identity_check`: a prefecture agent checks the person's identity and signed form;
- `ending`: revocation, refusal, the last day, the warning before it.

A test that replaces a helper patches it in the module that uses it (e.g.
`accounts.mandates.queries.mandate_first_use_record`), not here."""

from accounts.mandates.consent import (
    LINK_MAX_AGE,
    LINK_SALT,
    _nonce_hash,  # tests/accounts/authz.py forges confirmation links with it
    mandate_confirm,
    mandate_confirm_by_link,
    mandate_for_link,
    mandate_refuse_by_link,
)
from accounts.mandates.ending import (
    EXPIRY_EMAIL_TEMPLATE,
    mandate_end_notices_send,
    mandate_expiry_warnings_send,
    mandate_revoke,
)
from accounts.mandates.identity_check import (
    mandate_awaiting_check_get,
    mandate_check_prefecture_ids,
    mandate_identity_check_record,
    mandate_list_awaiting_check,
)
from accounts.mandates.queries import (
    mandate_acting_for_details,
    mandate_active_for,
    mandate_first_use_record,
    mandate_list_active_for_helper,
    mandate_list_given,
    mandate_list_held,
    mandate_notice_list,
    mandate_notices_mark_seen,
)
from accounts.mandates.rules import mandate_covers, mandate_end
from accounts.mandates.starting import (
    mandate_grant,
    mandate_person_create,
    mandate_record,
    mandate_record_signed,
    mandate_request,
)

__all__ = [
    "EXPIRY_EMAIL_TEMPLATE",
    "LINK_MAX_AGE",
    "LINK_SALT",
    "_nonce_hash",
    "mandate_acting_for_details",
    "mandate_active_for",
    "mandate_awaiting_check_get",
    "mandate_check_prefecture_ids",
    "mandate_confirm",
    "mandate_confirm_by_link",
    "mandate_covers",
    "mandate_end",
    "mandate_end_notices_send",
    "mandate_expiry_warnings_send",
    "mandate_first_use_record",
    "mandate_for_link",
    "mandate_grant",
    "mandate_identity_check_record",
    "mandate_list_active_for_helper",
    "mandate_list_awaiting_check",
    "mandate_list_given",
    "mandate_list_held",
    "mandate_notice_list",
    "mandate_notices_mark_seen",
    "mandate_person_create",
    "mandate_record",
    "mandate_record_signed",
    "mandate_refuse_by_link",
    "mandate_request",
    "mandate_revoke",
]
