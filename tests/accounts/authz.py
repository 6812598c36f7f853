"""The mandate routes of the authorization matrix (`tests/test_authorization_matrix.py`).

"My helpers" is the person's own (a helper, even mandated, may not give, confirm or revoke a
mandate for them); "People I help" is the helpers'. A mandate is found only by its person (and,
for the signed form, its helper): anyone else gets a 404.
"""

from django.core import signing
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.enums import ConsentMethod
from accounts.mandates import LINK_SALT, _nonce_hash
from accounts.models import Mandate
from tests.accounts.factories import HelperFactory, MandateFactory
from tests.applications.factories import PDF_BYTES
from tests.authz_common import (
    BACK_OFFICE_DOSSIER,
    BACK_OFFICE_PAGE,
    DENIED,
    HIDDEN,
    LOGIN,
    OK,
    ROLES,
    UNAUTHENTICATED,
)

PERSON_PAGE = {
    **dict.fromkeys(ROLES, DENIED),
    "anonymous": LOGIN,
    "applicant": OK,
    "other_applicant": OK,
}
PERSON_MANDATE = {**PERSON_PAGE, "other_applicant": HIDDEN}
HELPER_PAGE = {
    **dict.fromkeys(ROLES, DENIED),
    "anonymous": LOGIN,
    "helper": OK,
    "mandated_helper": OK,
}
SIGNED_FORM = {**dict.fromkeys(ROLES, HIDDEN), "applicant": OK, "mandated_helper": OK}
ACT_FOR = {**HELPER_PAGE, "helper": HIDDEN}
API_MANDATES = {
    **dict.fromkeys(ROLES, DENIED),
    "anonymous": UNAUTHENTICATED,
    "applicant": OK,
    "other_applicant": OK,
    "helper": OK,
    "mandated_helper": OK,
}
API_MANDATE_REVOKE = {
    **dict.fromkeys(ROLES, DENIED),
    "anonymous": UNAUTHENTICATED,
    "applicant": OK,
    "other_applicant": HIDDEN,
}

# The link e-mailed to the person: anyone holding it (signed out) or the person themselves; any
# other account signed in is refused, the helper above all (issue 15).
CONFIRM_LINK = {**dict.fromkeys(ROLES, DENIED), "anonymous": OK, "applicant": OK}

ROUTES = {
    "mandates:mine": ("get", {}, PERSON_PAGE),
    # A pending mandate (recorded by `helper`): only its person confirms it.
    "mandates:confirm": ("post", {"pk": "pending_mandate"}, PERSON_MANDATE),
    "mandates:confirm_link": ("get", {"token": "confirm_token"}, CONFIRM_LINK),
    "mandates_backoffice:checks": ("get", {}, BACK_OFFICE_PAGE),
    # The identity check: an agent of the prefecture of the person's dossier (Paris) only.
    "mandates_backoffice:check": ("get", {"pk": "pending_mandate"}, BACK_OFFICE_DOSSIER),
    "mandates:revoke": ("get", {"pk": "mandate"}, PERSON_MANDATE),
    "mandates:receipt": ("get", {"pk": "revoked_mandate"}, PERSON_MANDATE),
    "mandates:consent_file": ("get", {"pk": "mandate"}, SIGNED_FORM),
    "mandates:helping": ("get", {}, HELPER_PAGE),
    # Issue 21: how the person is contacted, their own (a helper never sets it for them).
    "accounts:contact": ("get", {}, PERSON_PAGE),
    "accounts:phone_verify": ("get", {}, PERSON_PAGE),
    "mandates:request": ("get", {}, HELPER_PAGE),
    "mandates:record": ("get", {}, HELPER_PAGE),
    "mandates:act_for": ("post", {"person_id": "owner"}, ACT_FOR),
    "mandates:stop_acting": ("post", {}, HELPER_PAGE),
    "api:mandate-list": ("get", {}, API_MANDATES),
    "api:mandate-revoke": ("post", {"pk": "mandate"}, API_MANDATE_REVOKE),
}


def world(world: dict) -> dict:
    """The mandated helper's mandate (with its signed form) and a revoked one."""
    owner = world["users"]["applicant"]
    mandate = Mandate.objects.get(person=owner, helper=world["users"]["mandated_helper"])
    mandate.consent_file.save("signed.pdf", ContentFile(PDF_BYTES), save=False)
    mandate.consent_content_type = "application/pdf"
    mandate.save()
    revoked = MandateFactory(person=owner, helper=HelperFactory())
    revoked.revoked_at, revoked.revoked_by = timezone.now(), owner
    revoked.save()
    # A signed-form mandate the world's `helper` recorded: pending, with its e-mailed link. It
    # must give that helper nothing (the dossier rows keep `helper` at 404).
    pending = MandateFactory(
        person=owner,
        helper=world["users"]["helper"],
        consented_at=None,
        consent_method=ConsentMethod.SIGNED_FORM,
        created_by=world["users"]["helper"],
        confirmation_nonce_hash=_nonce_hash("matrix-nonce"),
    )
    pending.consent_file.save("signed.pdf", ContentFile(PDF_BYTES), save=False)
    pending.consent_content_type = "application/pdf"
    pending.save()
    token = signing.dumps({"m": pending.pk, "n": "matrix-nonce"}, salt=LINK_SALT)
    return {
        "mandate": mandate.pk,
        "revoked_mandate": revoked.pk,
        "pending_mandate": pending.pk,
        "confirm_token": token,
    }
