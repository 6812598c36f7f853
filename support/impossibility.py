"""Confirming a technical impossibility (DESIGN.md §3 "support", arrêté of 1 August 2023): the
contact centre's decisive action, in one transaction with the ticket's event and audit entry.
Part of `support.services` (re-exported there); split only to keep modules short."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import is_contact_centre_agent
from anef.errors import DomainError
from anef.services import row_locked
from applications.selectors import prefecture_for_postal_code
from reference.models import Prefecture
from support import emails
from support.enums import AuthorSide, MessageKind, TicketEventKind
from support.models import Ticket
from support.services import (
    _message_add,
    _profile_of,
    _responded,
    _transition,
)
from support.signals import technical_impossibility_confirmed
from support.workflow import target_state

NEXT_STEPS = _(
    "We confirm that a technical problem prevents you from doing your application online. "
    "This is not your fault.\n\n"
    "What happens next:\n"
    "1. Your written acknowledgement (number %(number)s) is ready. You can download it from "
    "this page. Keep it: it proves that the website did not work for you.\n"
    "2. You have the right to file your application another way. The prefecture will offer "
    "you an appointment in person. You can also ask to send your application by post or by "
    "e-mail.\n"
    "3. You do not need to do anything else online. If you have questions, answer this "
    "message or call us at %(phone)s."
)


def _next_steps(number: str) -> str:
    """The message of what happens next, in French then English (the thread keeps it as
    written, whatever language the person reads the page in)."""
    texts: list[str] = []
    for language in ("fr", "en"):
        with translation.override(language):
            text = str(NEXT_STEPS) % {"number": number, "phone": settings.CONTACT_PHONE}
        if text not in texts:
            texts.append(text)
    return "\n\n---\n\n".join(texts)


def _prefecture_for(ticket: Ticket, person: User | None) -> Prefecture | None:
    if ticket.prefecture_id is not None:
        return ticket.prefecture
    if ticket.application_id is not None:
        return ticket.application.prefecture
    profile = _profile_of(person)
    return prefecture_for_postal_code(profile.postal_code) if profile else None


def _route_to_substitution(*, ticket: Ticket, **details):
    """Ask the app above (substitution, through `technical_impossibility_confirmed`) to open
    the case for another way to file, and return it. Sent with `send`, not `send_robust`: a
    refusal rolls the whole confirmation back. No case is a configuration error, never a silent
    confirmation without another way in (the ticket's check constraint would refuse it too)."""
    cases = [
        case
        for _receiver, case in technical_impossibility_confirmed.send(
            sender=Ticket, ticket=ticket, **details
        )
        if case is not None
    ]
    if len(cases) != 1:
        raise ImproperlyConfigured(
            "A confirmed technical impossibility needs exactly one substitution case; "
            f"the receivers of technical_impossibility_confirmed opened {len(cases)}."
        )
    return cases[0]


@transaction.atomic
def ticket_confirm_technical_impossibility(
    *,
    ticket: Ticket,
    actor: User,
    blocking_description: str,
    first_name: str,
    last_name: str,
    prefecture: Prefecture | None = None,
):
    """The decisive action (DESIGN.md §3, arrêté of 1 August 2023): in one transaction, issue
    the written acknowledgement of the technical impossibility, open the substitution case, link
    both to the ticket and tell the person in plain words what happens next.

    The ticket's two OneToOne links make a second confirmation impossible: a second call is
    refused here, and two at once collide on the unique constraint.
    """
    from attestations.services import issue_technical_impossibility

    if not is_contact_centre_agent(actor):
        raise DomainError("forbidden", _("Only contact-centre agents confirm this."))
    description = (blocking_description or "").strip()
    if not description:
        raise DomainError(
            "description_required", _("Describe the technical problem that blocks the person.")
        )
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if not (first_name or last_name):
        raise DomainError("name_required", _("Give the person's name as it must be printed."))
    locked = row_locked(ticket)
    if locked.acknowledgement_id is not None or locked.substitution_case_id is not None:
        raise DomainError(
            "already_confirmed",
            _("The technical impossibility was already confirmed for this request."),
        )
    target_state("confirm_technical_impossibility", locked.status)
    person = locked.person
    prefecture = prefecture or _prefecture_for(locked, person)
    foreigner_number = locked.foreigner_number
    if not foreigner_number and person is not None:
        profile = _profile_of(person)
        foreigner_number = (profile.foreigner_number or "") if profile else ""
    attestation = issue_technical_impossibility(
        holder_snapshot={
            "first_name": first_name,
            "last_name": last_name,
            "foreigner_number": foreigner_number,
        },
        blocking_description=description,
        holder=person,
        prefecture=prefecture,
    )
    case = _route_to_substitution(
        ticket=locked,
        person=person,
        contact_name=f"{first_name} {last_name}".strip(),
        contact_email=locked.email,
        contact_phone=locked.phone,
        foreigner_number=foreigner_number,
        prefecture=prefecture,
        summary=description,
        opened_by=actor,
        acknowledgement=attestation,
    )
    message = _message_add(
        locked,
        kind=MessageKind.REPLY,
        side=AuthorSide.CONTACT_CENTRE,
        author=actor,
        body=_next_steps(attestation.number),
    )
    now = message.created_at
    confirmed = _transition(
        locked,
        action="confirm_technical_impossibility",
        actor=actor,
        event=TicketEventKind.TECHNICAL_IMPOSSIBILITY_CONFIRMED,
        fields={
            "acknowledgement": attestation,
            "substitution_case": case,
            "prefecture": prefecture,
            "resolved_at": now,
            "assignee": locked.assignee or actor,
            **_responded(locked, now),
        },
        attestation=attestation.number,
    )
    emails.send_technical_impossibility(locked.pk)
    return confirmed
