"""The substitution routes of the authorization matrix (`tests/test_authorization_matrix.py`).

The world's applicant has a substitution case in Paris (75), where `agent` works, with a booked
appointment at the Paris desk and the world's dossier attached as its recorded deposit; Paris
also has a PAN. `other_agent` (93) finds none of them (404)."""

import datetime

from django.utils import timezone

from applications.models import Application
from substitution.cancel_links import (
    CANCEL_SALT,
    OFFER_SALT,
    _legacy_signature,
    cancel_token,
    offer_short_key,
)
from substitution.enums import CaseOrigin, CaseStatus, DeskKind
from substitution.models import Appointment, SlotOffer, SubstitutionCase, WaitlistEntry
from tests.authz_common import (
    API_APPLICANT,
    API_APPLICANT_DOSSIER,
    BACK_OFFICE_DOSSIER,
    BACK_OFFICE_PAGE,
    EVERYONE,
    PORTAL_DOSSIER,
    PORTAL_PAGE,
)
from tests.substitution.factories import DeskFactory, SlotFactory

CASE = {"reference": "substitution_case"}
APPOINTMENT = {"pk": "substitution_appointment"}
DESK = {"pk": "substitution_desk"}
PAN = {"pk": "substitution_pan"}
TOKEN = {"token": "substitution_token"}

ROUTES = {
    # Back office
    "substitution_backoffice:home": ("get", {}, BACK_OFFICE_PAGE),
    "substitution_backoffice:figures": ("get", {}, BACK_OFFICE_PAGE),
    "substitution_backoffice:case_detail": ("get", CASE, BACK_OFFICE_DOSSIER),
    "substitution_backoffice:case_book": ("post", CASE, BACK_OFFICE_DOSSIER),
    "substitution_backoffice:case_close": ("post", CASE, BACK_OFFICE_DOSSIER),
    "substitution_backoffice:appointment_cancel": ("post", APPOINTMENT, BACK_OFFICE_DOSSIER),
    "substitution_backoffice:appointment_mark": ("post", APPOINTMENT, BACK_OFFICE_DOSSIER),
    "substitution_backoffice:suspicious": ("get", {}, BACK_OFFICE_PAGE),
    "substitution_backoffice:appointment_cancel_suspicious": (
        "post",
        APPOINTMENT,
        BACK_OFFICE_DOSSIER,
    ),
    "substitution_backoffice:desk_day": ("get", DESK, BACK_OFFICE_DOSSIER),
    "substitution_backoffice:desk_slots": ("get", DESK, BACK_OFFICE_DOSSIER),
    "substitution_backoffice:desk_queue": ("get", PAN, BACK_OFFICE_DOSSIER),
    "substitution_backoffice:queue_issue": ("post", PAN, BACK_OFFICE_DOSSIER),
    "substitution_backoffice:queue_next": ("post", PAN, BACK_OFFICE_DOSSIER),
    "substitution_backoffice:deposit_new": ("get", {}, BACK_OFFICE_PAGE),
    "substitution_backoffice:deposit_detail": ("get", CASE, BACK_OFFICE_DOSSIER),
    "substitution_backoffice:deposit_upload": (
        "post",
        {**CASE, "code": "passport"},
        BACK_OFFICE_DOSSIER,
    ),
    "substitution_backoffice:deposit_file": ("post", CASE, BACK_OFFICE_DOSSIER),
    # Portal (signed in)
    "substitution_portal:home": ("get", {}, PORTAL_PAGE),
    "substitution_portal:offer_accept": ("post", {}, PORTAL_PAGE),
    "substitution_portal:case_detail": ("get", CASE, PORTAL_DOSSIER),
    "substitution_portal:case_book": ("post", CASE, PORTAL_DOSSIER),
    "substitution_portal:case_cancel": ("post", CASE, PORTAL_DOSSIER),
    "substitution_portal:case_mode": ("post", CASE, PORTAL_DOSSIER),
    "substitution_portal:appointment_calendar": ("get", APPOINTMENT, PORTAL_DOSSIER),
    "substitution_portal:case_waitlist": ("post", CASE, PORTAL_DOSSIER),
    # Issue 21: the dossier's appointment, booked from the dossier's page
    "substitution_portal:dossier_appointment": ("get", {"reference": "reference"}, PORTAL_DOSSIER),
    # Without an account: the help request and the private link (its token is the key)
    "substitution_public:help_request": ("get", {}, EVERYONE),
    "substitution_public:case": ("get", TOKEN, EVERYONE),
    "substitution_public:case_book": ("post", TOKEN, EVERYONE),
    "substitution_public:case_cancel": ("post", TOKEN, EVERYONE),
    "substitution_public:case_mode": ("post", TOKEN, EVERYONE),
    "substitution_public:case_calendar": ("get", TOKEN, EVERYONE),
    "substitution_public:case_code_send": ("post", TOKEN, EVERYONE),
    "substitution_public:case_code_verify": ("post", TOKEN, EVERYONE),
    "substitution_public:case_waitlist": ("post", TOKEN, EVERYONE),
    # Issue 21: a booking managed without an account, with a code
    "substitution_public:manage": ("get", {}, EVERYONE),
    # Without a code asked in this session it sends back to the form above, for everyone.
    "substitution_public:manage_code": ("get", {}, EVERYONE),
    # The e-mails' links (issue 21): the signed cancel key, the offer's private key
    "substitution_public:appointment_cancel": ("get", {"token": "cancel_token"}, EVERYONE),
    "substitution_public:slot_offer": ("get", {"token": "slot_offer_token"}, EVERYONE),
    # The same cancel link, short enough for a text message (/r/<key>)
    "appointment_cancel_short": ("get", {"token": "cancel_token"}, EVERYONE),
    # The offer of an earlier place, short enough for a text message (/o/<key>)
    "slot_offer_short": ("get", {"token": "slot_offer_short_key"}, EVERYONE),
    # Their addresses and keys of before (/rdv/<key>/, /rdv/o/<key>/), in texts already sent
    "appointment_cancel_short_legacy": ("get", {"token": "legacy_cancel_token"}, EVERYONE),
    "slot_offer_short_legacy": ("get", {"token": "legacy_slot_offer_short_key"}, EVERYONE),
    # API
    "api:substitution-appointment-list": ("get", {}, API_APPLICANT),
    "api:substitution-appointment-cancel": ("post", APPOINTMENT, API_APPLICANT_DOSSIER),
    "api:substitution-slot-list": ("get", {}, API_APPLICANT),
}


def world(world: dict) -> dict:
    """A case of the world's applicant in Paris, its appointment, a desk and a PAN."""
    application = Application.objects.get(reference=world["reference"])
    desk = DeskFactory(prefecture=application.prefecture, kind=DeskKind.SUBSTITUTION)
    pan = DeskFactory(prefecture=application.prefecture, kind=DeskKind.PAN)
    case = SubstitutionCase.objects.create(
        person=world["users"]["applicant"],
        origin=CaseOrigin.CONTACT_CENTRE,
        prefecture=application.prefecture,
        status=CaseStatus.APPOINTMENT_BOOKED,
        application=application,
    )
    appointment = Appointment.objects.create(slot=SlotFactory(desk=desk), case=case)
    entry = WaitlistEntry.objects.create(case=case, desk=desk)
    offer = SlotOffer.objects.create(
        entry=entry,
        slot=SlotFactory(desk=desk),
        expires_at=timezone.now() + datetime.timedelta(hours=2),
    )
    return {
        "cancel_token": cancel_token(appointment),
        "slot_offer_token": offer.token,
        "slot_offer_short_key": offer_short_key(offer),
        "legacy_cancel_token": f"{appointment.pk}-{_legacy_signature(appointment.pk, CANCEL_SALT)}",
        "legacy_slot_offer_short_key": f"{offer.pk}-{_legacy_signature(offer.pk, OFFER_SALT)}",
        "substitution_case": case.reference,
        "substitution_appointment": appointment.pk,
        "substitution_desk": desk.pk,
        "substitution_pan": pan.pk,
        "substitution_token": case.access_token,
    }
