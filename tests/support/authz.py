"""The contact-centre routes of the authorization matrix (`tests/test_authorization_matrix.py`).

The world holds: a ticket from the public form (with a screenshot and a confirmed technical
impossibility, so its follow-up page offers the acknowledgement), a ticket the world's applicant
opened from the portal about their dossier, and a ticket escalated to Paris (75), where `agent`
works; `other_agent` (93) finds none (404). Contact-centre agents see every ticket; supervisor
pages are refused to the plain contact-centre agent of the matrix.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Application
from support import services
from support.enums import TicketCategory
from support.models import AccountRecovery, Callback, token_hash
from tests.accounts.factories import ApplicantProfileFactory
from tests.authz_common import (
    API_APPLICANT,
    API_APPLICANT_DOSSIER,
    BACK_OFFICE_DOSSIER,
    BACK_OFFICE_PAGE,
    DENIED,
    EVERYONE,
    HIDDEN,
    LOGIN,
    OK,
    PORTAL_DOSSIER,
    PORTAL_PAGE,
    ROLES,
    SUPPORT_CONSOLE,
    UNAUTHENTICATED,
)
from tests.support.factories import PNG_BYTES, SavedAnswerFactory

# A ticket is the person's correspondence: a helper sees the tickets they opened themselves
# (about the person's dossier if they wish), not the person's own, even under a mandate.
PERSON_ONLY_TICKET = {**PORTAL_DOSSIER, "mandated_helper": HIDDEN}
API_PERSON_ONLY_TICKET = {**API_APPLICANT_DOSSIER, "mandated_helper": HIDDEN}
# Only a contact-centre supervisor (a permission the matrix's agent does not hold).
SUPPORT_SUPERVISOR = {
    **dict.fromkeys(ROLES, DENIED),
    "anonymous": LOGIN,
    "contact_centre_supervisor": OK,
}
API_SUPPORT = {
    **dict.fromkeys(ROLES, DENIED),
    "anonymous": UNAUTHENTICATED,
    "contact_centre": OK,
    "contact_centre_supervisor": OK,
}

TICKET = {"number": "support_ticket"}
PORTAL_TICKET = {"number": "support_portal_ticket"}
ESCALATED = {"number": "support_escalated_ticket"}
TOKEN = {"token": "support_token"}
RECOVERY_TICKET = {"number": "support_recovery_ticket"}
RECOVERY = {**RECOVERY_TICKET, "reference": "support_recovery"}
STOP_TOKEN = "a-stop-link-secret-for-the-matrix"

ROUTES = {
    # Public: the contact form and the private follow-up link
    "support_public:contact": ("get", {}, EVERYONE),
    "support_public:follow_up": ("get", TOKEN, EVERYONE),
    "support_public:follow_up_acknowledgement": ("get", TOKEN, EVERYONE),
    "support_public:follow_up_attachment": (
        "get",
        {**TOKEN, "pk": "support_attachment"},
        EVERYONE,
    ),
    # Portal
    "support_portal:list": ("get", {}, PORTAL_PAGE),
    "support_portal:new": ("get", {}, PORTAL_PAGE),
    "support_portal:detail": ("get", PORTAL_TICKET, PERSON_ONLY_TICKET),
    "support_portal:attachment": (
        "get",
        {**PORTAL_TICKET, "pk": "support_portal_attachment"},
        PERSON_ONLY_TICKET,
    ),
    "personal_data_consultations": ("get", {}, PORTAL_PAGE),
    # Console
    "support_console:home": ("get", {}, SUPPORT_CONSOLE),
    "support_console:phone_new": ("get", {}, SUPPORT_CONSOLE),
    "support_console:ticket_detail": ("get", TICKET, SUPPORT_CONSOLE),
    **{
        f"support_console:{name}": ("post", TICKET, SUPPORT_CONSOLE)
        for name in (
            "ticket_take",
            "ticket_assign",
            "ticket_reply",
            "ticket_note",
            "ticket_escalate",
            "ticket_confirm_technical_impossibility",
            "account_password_reset",
        )
    },
    # Account recovery with four eyes (issue 15): any agent asks and types the facts; only a
    # supervisor (the recovery approver) decides, and the services refuse the one who asked.
    "support_console:recovery_request": ("post", RECOVERY_TICKET, SUPPORT_CONSOLE),
    "support_console:recovery_facts": ("post", RECOVERY, SUPPORT_CONSOLE),
    "support_console:recovery_approve": ("post", RECOVERY, SUPPORT_SUPERVISOR),
    "support_console:recovery_refuse": ("post", RECOVERY, SUPPORT_SUPERVISOR),
    "support_console:recoveries": ("get", {}, SUPPORT_SUPERVISOR),
    "support_backoffice:recovery_desk_check": ("get", {}, BACK_OFFICE_PAGE),
    # The old address's link: whoever holds it (a secret, like the follow-up link).
    "support_public:recovery_stop": ("get", {"token": "support_recovery_stop"}, EVERYONE),
    "support_portal:recovery_confirm": ("get", {}, PORTAL_PAGE),
    "support_console:ticket_status": ("post", {**TICKET, "action": "resolve"}, SUPPORT_CONSOLE),
    "support_console:ticket_attachment": (
        "get",
        {**TICKET, "pk": "support_attachment"},
        SUPPORT_CONSOLE,
    ),
    "support_console:saved_answers": ("get", {}, SUPPORT_CONSOLE),
    "support_console:saved_answer_new": ("get", {}, SUPPORT_SUPERVISOR),
    "support_console:saved_answer_edit": (
        "get",
        {"pk": "support_saved_answer"},
        SUPPORT_SUPERVISOR,
    ),
    # Callbacks (issue 21): the person books on their own ticket; the console works the queue.
    "support_portal:callback": ("get", PORTAL_TICKET, PERSON_ONLY_TICKET),
    "support_public:follow_up_callback": ("get", TOKEN, EVERYONE),
    "support_console:callbacks": ("get", {}, SUPPORT_CONSOLE),
    "support_console:callback_figures": ("get", {}, SUPPORT_CONSOLE),
    "support_console:callback_mark": (
        "post",
        {"pk": "support_callback", "outcome": "made"},
        SUPPORT_CONSOLE,
    ),
    # Back office: tickets sent to the agent's prefecture
    "support_backoffice:list": ("get", {}, BACK_OFFICE_PAGE),
    "support_backoffice:detail": ("get", ESCALATED, BACK_OFFICE_DOSSIER),
    "support_backoffice:reply": ("post", ESCALATED, BACK_OFFICE_DOSSIER),
    "support_backoffice:note": ("post", ESCALATED, BACK_OFFICE_DOSSIER),
    # API
    "api:ticket-list": ("get", {}, API_APPLICANT),
    "api:ticket-detail": ("get", PORTAL_TICKET, API_PERSON_ONLY_TICKET),
    "api:ticket-messages": ("get", PORTAL_TICKET, API_PERSON_ONLY_TICKET),
    "api:support-ticket-list": ("get", {}, API_SUPPORT),
    "api:support-ticket-detail": ("get", TICKET, API_SUPPORT),
    "api:support-ticket-reply": ("post", TICKET, API_SUPPORT),
    "api:support-ticket-note": ("post", TICKET, API_SUPPORT),
}


def world(world: dict) -> dict:
    """A confirmed public ticket with a screenshot, the applicant's portal ticket about their
    dossier, and a ticket escalated to the dossier's prefecture (Paris)."""
    users = world["users"]
    contact_centre = users["contact_centre"]
    application = Application.objects.get(reference=world["reference"])
    ticket, token = services.ticket_open_from_contact_form(
        name="Awa Konaté",
        email="awa@example.org",
        phone="",
        foreigner_number="",
        category=TicketCategory.CANNOT_CREATE_ACCOUNT,
        body="I cannot create an account.",
        attachments=[SimpleUploadedFile("shot.png", PNG_BYTES)],
    )
    services.ticket_confirm_technical_impossibility(
        ticket=ticket,
        actor=contact_centre,
        blocking_description="Sign-up refuses the birth date.",
        first_name="Awa",
        last_name="Konaté",
        prefecture=application.prefecture,
    )
    portal_ticket, _token = services.ticket_open_from_portal(
        actor=users["applicant"],
        category=TicketCategory.ATTESTATION_MISSING,
        body="Where is my attestation?",
        application=application,
        attachments=[SimpleUploadedFile("shot.png", PNG_BYTES)],
    )
    escalated, _token = services.ticket_open_from_portal(
        actor=users["applicant"],
        category=TicketCategory.ERROR_IN_RECORD,
        body="My card handover is not recorded.",
        application=application,
    )
    services.ticket_escalate_to_prefecture(
        ticket=escalated, actor=contact_centre, note="Please record the handover."
    )
    recovery_ticket, recovery, _stopped = recovery_world(
        contact_centre, users["contact_centre_supervisor"]
    )
    return {
        "support_recovery_ticket": recovery_ticket.number,
        "support_recovery": recovery.reference,
        "support_recovery_stop": STOP_TOKEN,
        "support_ticket": ticket.number,
        "support_token": token,
        "support_attachment": ticket.messages.first().attachments.get().pk,
        "support_portal_ticket": portal_ticket.number,
        "support_portal_attachment": portal_ticket.messages.first().attachments.get().pk,
        "support_escalated_ticket": escalated.number,
        "support_saved_answer": SavedAnswerFactory().pk,
        "support_callback": Callback.objects.create(
            ticket=portal_ticket, phone="0612345678", starts_at=portal_ticket.created_at
        ).pk,
    }


def recovery_world(agent, supervisor):
    """A recovery waiting for approval (asked by `agent`, facts matched) and an approved one
    whose stop link is `STOP_TOKEN`, each for a person of its own."""
    birth = datetime.date(1990, 5, 17)
    recoveries = []
    for number in ("2000000001", "2000000002"):
        person = ApplicantProfileFactory(
            birth_date=birth, postal_code="75011", foreigner_number=number
        ).user
        ticket, _token = services.ticket_open_from_contact_form(
            name="Owner",
            email=person.email,
            phone="",
            foreigner_number="",
            category=TicketCategory.CANNOT_LOG_IN,
            body="I lost my mailbox.",
        )
        recovery, _outcome = services.recovery_request(
            ticket=ticket,
            actor=agent,
            person=person,
            new_email=f"new.{number}@example.org",
            birth_date=birth,
            postal_code="75011",
            foreigner_number=number,
        )
        recoveries.append((ticket, recovery))
    (ticket, waiting), (_ticket, approved) = recoveries
    services.recovery_approve(recovery=approved, actor=supervisor)
    AccountRecovery.objects.filter(pk=approved.pk).update(stop_token_hash=token_hash(STOP_TOKEN))
    return ticket, waiting, approved
