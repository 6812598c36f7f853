"""Writes on tickets. Every state change goes through `_transition`, which locks the row, checks
the move against `support.workflow`, writes the ticket event and the audit entry, in one
transaction; e-mails leave after the commit (CONVENTIONS.md). Views, API and tasks call these;
they never assign a status themselves."""

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, User
from accounts.permissions import (
    can_use_back_office,
    can_use_portal,
    is_applicant,
    is_contact_centre_agent,
)
from anef import generations, uploads
from anef.audit import audit_action
from anef.errors import DomainError
from anef.services import row_locked
from anef.transactions import atomic_with_files, file_written
from anef.workflow import transition
from applications.models import Application
from applications.selectors import prefecture_for_postal_code
from reference.models import Prefecture
from support import emails, rules
from support.enums import (
    AuthorSide,
    MessageKind,
    PersonalDataScope,
    TicketCategory,
    TicketChannel,
    TicketEventKind,
    TicketStatus,
)
from support.models import (
    PersonalDataAccess,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
    follow_up_token,
    token_hash,
)
from support.workflow import WORKFLOW, target_state

NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


def working_calendar() -> rules.WorkingCalendar:
    return rules.WorkingCalendar.from_settings(settings.SUPPORT_WORKING_HOURS, settings.TIME_ZONE)


# --- Helpers ------------------------------------------------------------------------------------


def _event(ticket: Ticket, kind: str, actor: User | None, **params: Any) -> TicketEvent:
    generations.bump_ticket(ticket)  # every change of a ticket has its event
    return TicketEvent.record(ticket=ticket, kind=kind, actor=actor, params=params)


def _transition(
    ticket: Ticket,
    *,
    action: str,
    actor: User | None,
    event: str,
    fields: dict[str, Any] | None = None,
    **event_params: Any,
) -> Ticket:
    """The one path of every ticket change: `anef.workflow.transition` locks, checks the table,
    changes, writes the ticket event and the audit entry; the resolution clock pauses when the
    ticket starts waiting for the person and starts again when it stops waiting."""
    with transaction.atomic():
        locked = row_locked(ticket)
        clock = _sla_clock_fields(locked, WORKFLOW.target(action, locked.status), timezone.now())
        return transition(
            locked,
            workflow=WORKFLOW,
            action=action,
            actor=actor,
            event=event,
            fields={**clock, **(fields or {})},
            event_params=event_params,
        )


def _sla_clock_fields(ticket: Ticket, after: str, now: datetime) -> dict[str, Any]:
    """Pause on entering "waiting for the person", resume (moving the due date by the paused
    working time) on leaving it, whichever action leaves it."""
    waiting = after == TicketStatus.WAITING_ON_APPLICANT
    if waiting and ticket.sla_paused_at is None:
        return {"sla_paused_at": now}
    if not waiting and ticket.sla_paused_at is not None:
        due, paused = rules.resumed_due_at(
            ticket.resolution_due_at, ticket.sla_paused_at, now, working_calendar()
        )
        return {
            "sla_paused_at": None,
            "sla_paused_working": ticket.sla_paused_working + paused,
            "resolution_due_at": due,
        }
    return {}


def _cleaned_attachments(attachments: Iterable[UploadedFile]) -> list[uploads.CleanFile]:
    """The files of one message through the one pipeline (anef/uploads.py): type from the
    bytes, size and per-request limits, rewritten without scripts or metadata; all or none."""
    try:
        return uploads.process_all(attachments, max_bytes=settings.SUPPORT_ATTACHMENT_MAX_BYTES)
    except uploads.UploadRefused as refused:
        raise DomainError(refused.code, refused.message, name=refused.name) from refused


def _message_add(
    ticket: Ticket,
    *,
    kind: str,
    side: str,
    author: User | None,
    body: str,
    attachments: Iterable[UploadedFile] = (),
) -> TicketMessage:
    body = (body or "").strip()
    if not body:
        raise DomainError("empty_message", _("Write a message."))
    checked = _cleaned_attachments(attachments)
    message = TicketMessage.objects.create(
        ticket=ticket, kind=kind, side=side, author=author, body=body
    )
    for cleaned in checked:
        attachment = TicketAttachment(
            message=message,
            original_name=cleaned.name,
            content_type=cleaned.content_type,
            size=cleaned.size,
            sha256=cleaned.sha256,
        )
        attachment.file.save(cleaned.name, cleaned.as_content_file(), save=False)
        file_written(attachment.file)  # deleted again if the transaction does not commit
        attachment.save()
    return message


def _on_commit(function, *args) -> None:
    transaction.on_commit(lambda: function(*args), robust=True)


def _new_number(now: datetime) -> str:
    return f"T{now:%y}-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(6))


def _profile_of(user: User | None) -> ApplicantProfile | None:
    if user is None:
        return None
    return ApplicantProfile.objects.filter(user=user).select_related(None).first()


# --- Opening a ticket ---------------------------------------------------------------------------


@atomic_with_files()
def ticket_open(
    *,
    channel: str,
    category: str,
    body: str,
    name: str,
    email: str = "",
    phone: str = "",
    foreigner_number: str = "",
    requester: User | None = None,
    person: User | None = None,
    application: Application | None = None,
    prefecture: Prefecture | None = None,
    opened_by: User | None = None,
    attachments: Iterable[UploadedFile] = (),
    now: datetime | None = None,
    acknowledge: bool = True,
) -> tuple[Ticket, str]:
    """Record a request; return the ticket and the secret of its private follow-up link.

    Deadlines are counted in working time from now (support.rules); the person gets the number
    and the link by e-mail when they gave an address (unless `acknowledge` is False: a ticket
    the system opens on their behalf, support.inquiries, is told on their dossier instead).
    """
    if category not in TicketCategory.values or channel not in TicketChannel.values:
        raise DomainError("invalid", _("Choose what your request is about."))
    name = (name or "").strip()
    email = (email or "").strip().lower()
    phone = (phone or "").strip()
    if not name:
        raise DomainError("name_required", _("Give your name."))
    if not (email or phone or requester):
        raise DomainError(
            "contact_required",
            _("Give an e-mail address or a phone number, so that we can answer you."),
        )
    now = now or timezone.now()
    deadlines = rules.ticket_deadlines(
        now,
        working_calendar(),
        first_response_working_days=settings.SUPPORT_FIRST_RESPONSE_WORKING_DAYS,
        resolution_working_days=settings.SUPPORT_RESOLUTION_WORKING_DAYS,
    )
    if application is not None:
        prefecture = application.prefecture
    nonce = secrets.token_hex(16)
    ticket = Ticket(
        channel=channel,
        category=category,
        name=name[:200],
        email=email,
        phone=phone[:30],
        foreigner_number=(foreigner_number or "").strip(),
        requester=requester,
        person=person,
        application=application,
        prefecture=prefecture,
        opened_by=opened_by,
        created_at=now,
        first_response_due_at=deadlines.first_response_due_at,
        resolution_due_at=deadlines.resolution_due_at,
        follow_up_nonce=nonce,
        follow_up_token_hash=token_hash(follow_up_token(nonce)),
    )
    for _attempt in range(5):
        ticket.number = _new_number(now)
        try:
            with transaction.atomic():
                ticket.save()
            break
        except IntegrityError:
            if Ticket.objects.filter(number=ticket.number).exists():
                continue  # a number already taken: draw another
            raise
    else:  # pragma: no cover - 32^6 numbers a year
        raise DomainError("number", _("Please try again."))
    _message_add(
        ticket,
        kind=MessageKind.REPLY,
        side=AuthorSide.REQUESTER,
        author=requester or opened_by,
        body=body,
        attachments=attachments,
    )
    actor = requester or opened_by
    _event(ticket, TicketEventKind.CREATED, actor, channel=channel)
    audit_action(instance=ticket, actor=actor, action="ticket_open", details={"channel": channel})
    if email and acknowledge:
        emails.send_ticket_received(ticket.pk)
    return ticket, follow_up_token(nonce)


def ticket_open_from_contact_form(
    *,
    name: str,
    email: str,
    phone: str,
    foreigner_number: str,
    category: str,
    body: str,
    postal_code: str = "",
    attachments: Iterable[UploadedFile] = (),
) -> tuple[Ticket, str]:
    """The public form: no account (the people who most need it cannot create one)."""
    prefecture = prefecture_for_postal_code(postal_code) if postal_code else None
    return ticket_open(
        channel=TicketChannel.WEB_FORM,
        category=category,
        body=body,
        name=name,
        email=email,
        phone=phone,
        foreigner_number=foreigner_number,
        prefecture=prefecture,
        attachments=attachments,
    )


def ticket_open_from_portal(
    *,
    actor: User,
    category: str,
    body: str,
    application: Application | None = None,
    attachments: Iterable[UploadedFile] = (),
) -> tuple[Ticket, str]:
    """An applicant or a helper, signed in; `application` must be one they may see (the caller
    takes it from `application_list_visible_to(actor)`)."""
    if not can_use_portal(actor):
        raise DomainError("forbidden", _("Only applicants and helpers open tickets here."))
    profile = _profile_of(actor) if is_applicant(actor) else None
    return ticket_open(
        channel=TicketChannel.PORTAL,
        category=category,
        body=body,
        name=actor.get_full_name() or actor.email,
        email=actor.email,
        foreigner_number=(profile.foreigner_number or "") if profile else "",
        requester=actor,
        # A helper writing about a dossier they act on (under a mandate): the person concerned
        # is the dossier's applicant, so that the console shows (and logs) the right record.
        person=actor if is_applicant(actor) else (application.applicant if application else None),
        application=application,
        prefecture=prefecture_for_postal_code(profile.postal_code) if profile else None,
        attachments=attachments,
    )


def ticket_open_by_phone(
    *,
    actor: User,
    name: str,
    email: str,
    phone: str,
    foreigner_number: str,
    category: str,
    body: str,
) -> tuple[Ticket, str]:
    """An agent records a phone call; `body` is what the person asked, in the agent's words."""
    if not is_contact_centre_agent(actor):
        raise DomainError("forbidden", _("Only contact-centre agents record phone calls."))
    return ticket_open(
        channel=TicketChannel.PHONE,
        category=category,
        body=body,
        name=name,
        email=email,
        phone=phone,
        foreigner_number=foreigner_number,
        opened_by=actor,
    )


# --- Assignment ---------------------------------------------------------------------------------


def ticket_take(*, ticket: Ticket, actor: User) -> Ticket:
    return ticket_assign(ticket=ticket, assignee=actor, actor=actor)


@atomic_with_files()
def ticket_assign(*, ticket: Ticket, assignee: User, actor: User) -> Ticket:
    if not is_contact_centre_agent(assignee):
        raise DomainError("assignee", _("A ticket is assigned to a contact-centre agent."))
    taking = assignee.pk == actor.pk
    return _transition(
        ticket,
        action="take" if taking else "assign",
        actor=actor,
        event=TicketEventKind.TAKEN if taking else TicketEventKind.ASSIGNED,
        fields={"assignee": assignee},
        assignee=assignee.get_full_name() or assignee.email,
    )


# --- The thread ---------------------------------------------------------------------------------


def _responded(ticket: Ticket, now: datetime) -> dict[str, Any]:
    """A public answer is a response; the first one stops the first-response clock."""
    return {"first_responded_at": ticket.first_responded_at or now}


@atomic_with_files()
def ticket_reply(
    *,
    ticket: Ticket,
    actor: User,
    body: str,
    attachments: Iterable[UploadedFile] = (),
) -> TicketMessage:
    """The contact centre answers the person (they read it and are told by e-mail)."""
    if not is_contact_centre_agent(actor):
        raise DomainError("forbidden", _("Only contact-centre agents answer here."))
    locked = row_locked(ticket)
    target_state("reply", locked.status)
    message = _message_add(
        locked,
        kind=MessageKind.REPLY,
        side=AuthorSide.CONTACT_CENTRE,
        author=actor,
        body=body,
        attachments=attachments,
    )
    fields = _responded(locked, message.created_at)
    if locked.assignee_id is None:
        fields["assignee"] = actor
    _transition(locked, action="reply", actor=actor, event=TicketEventKind.REPLIED, fields=fields)
    emails.send_new_answer(locked.pk)
    return message


@atomic_with_files()
def ticket_note_add(*, ticket: Ticket, actor: User, body: str) -> TicketMessage:
    """An internal note: for staff only, never shown nor sent to the person, and not a response
    (the first-response deadline keeps running)."""
    if not (is_contact_centre_agent(actor) or can_use_back_office(actor)):
        raise DomainError("forbidden", _("Only staff write internal notes."))
    locked = row_locked(ticket)
    target_state("note", locked.status)
    side = AuthorSide.PREFECTURE if can_use_back_office(actor) else AuthorSide.CONTACT_CENTRE
    message = _message_add(locked, kind=MessageKind.NOTE, side=side, author=actor, body=body)
    _transition(locked, action="note", actor=actor, event=TicketEventKind.NOTE_ADDED)
    return message


@atomic_with_files()
def ticket_reply_from_requester(
    *,
    ticket: Ticket,
    body: str,
    actor: User | None = None,
    attachments: Iterable[UploadedFile] = (),
) -> TicketMessage:
    """The person answers, through their private link (`actor` None) or their space."""
    locked = row_locked(ticket)
    target_state("requester_reply", locked.status)
    message = _message_add(
        locked,
        kind=MessageKind.REPLY,
        side=AuthorSide.REQUESTER,
        author=actor,
        body=body,
        attachments=attachments,
    )
    _transition(
        locked,
        action="requester_reply",
        actor=actor,
        event=TicketEventKind.REQUESTER_REPLIED,
        fields={"resolved_at": None},
    )
    return message


# --- Escalation to a prefecture ----------------------------------------------------------------


@atomic_with_files()
def ticket_escalate_to_prefecture(
    *, ticket: Ticket, actor: User, note: str, prefecture: Prefecture | None = None
) -> Ticket:
    """Send the ticket to the prefecture that instructs the person's dossier (or the one the
    agent chooses); its agents see it in the back office and answer in the same thread. `note`
    tells them why, as an internal note."""
    if not is_contact_centre_agent(actor):
        raise DomainError("forbidden", _("Only contact-centre agents send tickets on."))
    locked = row_locked(ticket)
    target_state("escalate", locked.status)
    prefecture = prefecture or locked.prefecture
    if locked.application_id is not None:
        prefecture = prefecture or locked.application.prefecture
    if prefecture is None:
        raise DomainError(
            "prefecture_required", _("Choose the prefecture that should answer this request.")
        )
    _message_add(
        locked, kind=MessageKind.NOTE, side=AuthorSide.CONTACT_CENTRE, author=actor, body=note
    )
    return _transition(
        locked,
        action="escalate",
        actor=actor,
        event=TicketEventKind.ESCALATED_TO_PREFECTURE,
        fields={"prefecture": prefecture, "escalated_to_prefecture_at": timezone.now()},
        prefecture=prefecture.name,
    )


@atomic_with_files()
def ticket_reply_from_prefecture(*, ticket: Ticket, actor: User, body: str) -> TicketMessage:
    """An agent of the ticket's prefecture answers the person in the same thread."""
    if not (can_use_back_office(actor) and actor.prefecture_id == ticket.prefecture_id):
        raise DomainError("forbidden", _("Only the prefecture the ticket was sent to answers."))
    locked = row_locked(ticket)
    target_state("prefecture_reply", locked.status)
    message = _message_add(
        locked, kind=MessageKind.REPLY, side=AuthorSide.PREFECTURE, author=actor, body=body
    )
    _transition(
        locked,
        action="prefecture_reply",
        actor=actor,
        event=TicketEventKind.PREFECTURE_REPLIED,
        fields=_responded(locked, message.created_at),
    )
    emails.send_new_answer(locked.pk)
    return message


# --- Resolution ---------------------------------------------------------------------------------


@atomic_with_files()
def ticket_resolve(*, ticket: Ticket, actor: User) -> Ticket:
    return _transition(
        ticket,
        action="resolve",
        actor=actor,
        event=TicketEventKind.RESOLVED,
        fields={"resolved_at": timezone.now()},
    )


@atomic_with_files()
def ticket_close(*, ticket: Ticket, actor: User) -> Ticket:
    locked = row_locked(ticket)
    return _transition(
        locked,
        action="close",
        actor=actor,
        event=TicketEventKind.CLOSED,
        fields={"resolved_at": locked.resolved_at or timezone.now()},
    )


@atomic_with_files()
def ticket_reopen(*, ticket: Ticket, actor: User) -> Ticket:
    return _transition(
        ticket,
        action="reopen",
        actor=actor,
        event=TicketEventKind.REOPENED,
        fields={"resolved_at": None},
    )


# --- Confidentiality -----------------------------------------------------------------------------


def personal_data_access_record(
    *,
    viewer: User,
    person: User | None,
    ticket: Ticket | None = None,
    scope: str = PersonalDataScope.DOSSIERS,
    application: Application | None = None,
) -> PersonalDataAccess | None:
    """Log that `viewer` saw `person`'s record; the person sees it on /me/consultations/
    (RGPD art. 15, right of access; issues 5 and 8).

    The one entry point for the contact centre (a ticket's person) and the prefecture back
    office (a dossier, one of its documents, a substitution case). Only staff consultations are
    logged: the person reading their own record is not, and a helper's acts under a mandate are
    audited with the mandate (accounts.mandates), not here. Returns None when nothing is logged.
    """
    if person is None or viewer.pk == person.pk:
        return None
    if not (is_contact_centre_agent(viewer) or can_use_back_office(viewer)):
        return None
    return PersonalDataAccess.objects.create(
        viewer=viewer, person=person, ticket=ticket, scope=scope, application=application
    )


# --- Split modules, part of this one's interface -------------------------------------------------
# (imported last: they build on the helpers above)
from support.answers import saved_answer_save  # noqa: E402, F401
from support.callbacks import (  # noqa: E402, F401
    callback_book,
    callback_figures,
    callback_mark_made,
    callback_mark_missed,
)
from support.deadlines import tickets_escalate_overdue  # noqa: E402, F401
from support.impossibility import (  # noqa: E402, F401
    NEXT_STEPS,
    ticket_confirm_technical_impossibility,
)
from support.recovery import (  # noqa: E402, F401
    account_password_reset_send,
    password_reset_url,
    recovery_approve,
    recovery_desk_check_record,
    recovery_facts_check,
    recovery_person_confirm,
    recovery_refuse,
    recovery_request,
    recovery_stop,
)
