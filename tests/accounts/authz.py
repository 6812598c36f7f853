"""The mandate routes of the authorization matrix (`tests/test_authorization_matrix.py`).

"My helpers" is the person's own (a helper, even mandated, may not give, confirm or revoke a
mandate for them); "People I help" is the helpers'. A mandate is found only by its person (and,
for the signed form, its helper): anyone else gets a 404.
"""

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Mandate
from tests.accounts.factories import HelperFactory, MandateFactory
from tests.applications.factories import PDF_BYTES
from tests.authz_common import (
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

ROUTES = {
    "mandates:mine": ("get", {}, PERSON_PAGE),
    "mandates:confirm": ("post", {"pk": "mandate"}, PERSON_MANDATE),
    "mandates:revoke": ("get", {"pk": "mandate"}, PERSON_MANDATE),
    "mandates:receipt": ("get", {"pk": "revoked_mandate"}, PERSON_MANDATE),
    "mandates:consent_file": ("get", {"pk": "mandate"}, SIGNED_FORM),
    "mandates:helping": ("get", {}, HELPER_PAGE),
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
    return {"mandate": mandate.pk, "revoked_mandate": revoked.pk}
