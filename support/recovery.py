"""Account recovery by the contact centre, with four eyes (issue 15).

A person who lost access to their e-mail address calls; the contact centre may give the account
a new address, but never one agent alone:

1. the agent **types** the facts the person gives (date of birth, postal code, foreigner number)
   and the system compares them with the record — no checkbox; a mismatch says only "does not
   match the record" (no field named, failures counted per person and per ticket), and a person
   without a foreigner number, or who fails, is sent to a prefecture desk where an agent checks
   the papers and records it (named in the audit log);
2. a **second, different** contact-centre supervisor approves (never the agent who asked nor the
   one who typed the facts); requests expire after `RECOVERY_EXPIRY`;
3. on approval the old address is told at once with a link that stops it (the account is locked
   and a ticket opened), the new address receives allauth's password-reset link, and for
   `RECOVERY_HOLD` the person's documents and new share codes are held
   (`support.selectors.recovery_hold_until`).

Every step is in the audit log and the ticket's history. Re-exported by `support.services`.
"""

import hmac
import secrets
from datetime import date, datetime, timedelta

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.models import ApplicantProfile, User
from accounts.permissions import (
    is_contact_centre_agent,
    is_contact_centre_supervisor,
    is_prefecture_agent,
)
from anef.audit import audit_action
from anef.errors import DomainError
from anef.services import row_locked
from support import emails
from support.enums import (
    OPEN_RECOVERY_STATUSES,
    AuthorSide,
    DeskDocumentKind,
    MessageKind,
    RecoveryStatus,
    TicketCategory,
    TicketEventKind,
)
from support.models import AccountRecovery, RecoveryFactsAttempt, Ticket, token_hash
from support.selectors import RECOVERY_HOLD
from support.services import (
    _event,
    _message_add,
    _transition,
    ticket_open_from_contact_form,
)

# A request not approved within this time lapses (a new one is needed).
RECOVERY_EXPIRY = timedelta(hours=48)
# Facts that do not match the record: at most this many per person and per ticket in the window;
# then only a desk check remains (the console is no oracle to guess a birth date).
MAX_FAILED_FACTS = 3
FAILED_FACTS_WINDOW = timedelta(hours=24)
# The old address's link stops the recovery for this long after the approval.
STOP_LINK_VALIDITY = timedelta(days=7)
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # read out at the desk


def normalise_fact(value) -> str:
    """What an agent typed, made comparable: no spaces, upper case."""
    return "".join(str(value or "").split()).upper()


def _same(typed, recorded) -> bool:
    return hmac.compare_digest(normalise_fact(typed).encode(), normalise_fact(recorded).encode())


def _facts_match(
    person: User, *, birth_date: date | None, postal_code: str, foreigner_number: str
) -> bool:
    """All three facts against the record, every one compared (no early exit)."""
    profile = ApplicantProfile.objects.filter(user=person).first()
    if profile is None or not profile.foreigner_number:
        return False
    results = [
        _same(birth_date.isoformat() if birth_date else "", profile.birth_date.isoformat()),
        _same(postal_code, profile.postal_code),
        _same(foreigner_number, profile.foreigner_number),
    ]
    return all(results)


def _failures(*, person: User, ticket: Ticket, now: datetime) -> int:
    since = now - FAILED_FACTS_WINDOW
    recent = RecoveryFactsAttempt.objects.filter(matched=False, attempted_at__gte=since)
    return max(recent.filter(person=person).count(), recent.filter(ticket=ticket).count())


def _new_reference() -> str:
    return "R" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(9))


def _require_agent(actor: User) -> None:
    if not is_contact_centre_agent(actor):
        raise DomainError("forbidden", _("Only contact-centre agents recover accounts."))


def _check_new_email(person: User, new_email: str) -> str:
    new_email = (new_email or "").strip().lower()
    if not new_email:
        raise DomainError("email_required", _("Give the new e-mail address."))
    taken = User.objects.filter_by_email(new_email).exclude(pk=person.pk).exists()
    taken = (
        taken or EmailAddress.objects.filter(email__iexact=new_email).exclude(user=person).exists()
    )
    if taken:
        raise DomainError("email_taken", _("Another account already uses this address."))
    return new_email


def _compare_facts(
    recovery: AccountRecovery,
    *,
    actor: User,
    birth_date: date | None,
    postal_code: str,
    foreigner_number: str,
    now: datetime,
) -> str:
    """Compare once (unless the failures are used up), record the attempt; returns the outcome:
    `matched`, `mismatch`, `no_foreigner_number` or `too_many_attempts`."""
    person, ticket = recovery.person, recovery.ticket
    if _failures(person=person, ticket=ticket, now=now) >= MAX_FAILED_FACTS:
        outcome = "too_many_attempts"
    elif not ApplicantProfile.objects.filter(user=person, foreigner_number__gt="").exists():
        outcome = "no_foreigner_number"
    else:
        matched = _facts_match(
            person,
            birth_date=birth_date,
            postal_code=postal_code,
            foreigner_number=foreigner_number,
        )
        RecoveryFactsAttempt.objects.create(
            recovery=recovery,
            person=person,
            ticket=ticket,
            agent=actor,
            matched=matched,
            attempted_at=now,
        )
        outcome = "matched" if matched else "mismatch"
    if outcome == "matched":
        recovery.status = RecoveryStatus.AWAITING_APPROVAL
        recovery.facts_checked_by = actor
        recovery.facts_checked_at = now
        recovery.save(update_fields=["status", "facts_checked_by", "facts_checked_at"])
    # Only the outcome is logged, never what was typed.
    audit_action(
        instance=recovery,
        actor=actor,
        action="account_recovery_facts_checked",
        details={"reference": recovery.reference, "outcome": outcome, "ticket": ticket.number},
    )
    _event(ticket, TicketEventKind.RECOVERY_FACTS_CHECKED, actor, outcome=outcome)
    return outcome


@transaction.atomic
def recovery_request(
    *,
    ticket: Ticket,
    actor: User,
    person: User,
    new_email: str,
    birth_date: date | None,
    postal_code: str,
    foreigner_number: str,
    now: datetime | None = None,
) -> tuple[AccountRecovery, str]:
    """Ask for a new e-mail address for `person`: nothing changes until a supervisor approves.
    Returns the request and the facts' outcome (see `_compare_facts`)."""
    _require_agent(actor)
    now = now or timezone.now()
    if person.role not in (Role.APPLICANT, Role.HELPER):
        raise DomainError("person", _("Only applicants' and helpers' accounts are recovered here."))
    locked_ticket = row_locked(ticket)
    person = User.objects.select_for_update().get(pk=person.pk)
    new_email = _check_new_email(person, new_email)
    # A lapsed request frees the place of the one open request per person.
    lapsed = AccountRecovery.objects.filter(
        person=person, status__in=OPEN_RECOVERY_STATUSES, expires_at__lte=now
    )
    for old in lapsed:
        old.status = RecoveryStatus.EXPIRED
        old.save(update_fields=["status"])
        audit_action(
            instance=old, actor=None, action="account_recovery_expired", details={"at": str(now)}
        )
    if AccountRecovery.objects.filter(person=person, status__in=OPEN_RECOVERY_STATUSES).exists():
        raise DomainError(
            "recovery_open",
            _("A recovery of this account is already waiting: finish or refuse it first."),
        )
    recovery = AccountRecovery.objects.create(
        reference=_new_reference(),
        ticket=locked_ticket,
        person=person,
        old_email=person.email,
        new_email=new_email,
        status=RecoveryStatus.AWAITING_DESK_CHECK,
        requested_by=actor,
        requested_at=now,
        expires_at=now + RECOVERY_EXPIRY,
    )
    audit_action(
        instance=recovery,
        actor=actor,
        action="account_recovery_request",
        changes={"email": (person.email, new_email)},
        details={"reference": recovery.reference, "ticket": locked_ticket.number},
    )
    _transition(
        locked_ticket,
        action="account_recovery",
        actor=actor,
        event=TicketEventKind.RECOVERY_REQUESTED,
        fields={"person": person},
        reference=recovery.reference,
    )
    outcome = _compare_facts(
        recovery,
        actor=actor,
        birth_date=birth_date,
        postal_code=postal_code,
        foreigner_number=foreigner_number,
        now=now,
    )
    return recovery, outcome


def _open_recovery(recovery: AccountRecovery, now: datetime) -> AccountRecovery:
    locked = AccountRecovery.objects.select_for_update().get(pk=recovery.pk)
    if locked.status not in OPEN_RECOVERY_STATUSES:
        raise DomainError("recovery_closed", _("This recovery is no longer waiting."))
    if locked.is_expired(now):
        raise DomainError(
            "recovery_expired",
            _("This recovery expired without approval: ask for a new one if still needed."),
        )
    return locked


@transaction.atomic
def recovery_facts_check(
    *,
    recovery: AccountRecovery,
    actor: User,
    birth_date: date | None,
    postal_code: str,
    foreigner_number: str,
    now: datetime | None = None,
) -> str:
    """Type the facts again (a typing error), within the failures allowed."""
    _require_agent(actor)
    now = now or timezone.now()
    locked = _open_recovery(recovery, now)
    if locked.status != RecoveryStatus.AWAITING_DESK_CHECK:
        raise DomainError("facts_done", _("The facts of this recovery were already checked."))
    return _compare_facts(
        locked,
        actor=actor,
        birth_date=birth_date,
        postal_code=postal_code,
        foreigner_number=foreigner_number,
        now=now,
    )


@transaction.atomic
def recovery_desk_check_record(
    *,
    recovery: AccountRecovery,
    actor: User,
    document_kind: str,
    note: str = "",
    now: datetime | None = None,
) -> AccountRecovery:
    """A prefecture agent saw the person and their original papers at the desk: the request may
    go to a supervisor. The agent is named in the audit log and the ticket."""
    if not is_prefecture_agent(actor):
        raise DomainError(
            "forbidden", _("Only prefecture agents record an identity check at the desk.")
        )
    if document_kind not in DeskDocumentKind.values:
        raise DomainError("document_kind", _("Say which original document you saw."))
    now = now or timezone.now()
    locked = _open_recovery(recovery, now)
    if locked.status != RecoveryStatus.AWAITING_DESK_CHECK:
        raise DomainError("desk_done", _("This recovery does not wait for a desk check."))
    locked.status = RecoveryStatus.AWAITING_APPROVAL
    locked.desk_checked_by = actor
    locked.desk_checked_at = now
    locked.desk_document_kind = document_kind
    locked.save(
        update_fields=["status", "desk_checked_by", "desk_checked_at", "desk_document_kind"]
    )
    audit_action(
        instance=locked,
        actor=actor,
        action="account_recovery_desk_check",
        details={
            "reference": locked.reference,
            "document_kind": document_kind,
            "prefecture": actor.prefecture_id,
        },
    )
    ticket = row_locked(locked.ticket)
    if note.strip():
        _message_add(
            ticket, kind=MessageKind.NOTE, side=AuthorSide.PREFECTURE, author=actor, body=note
        )
    _event(ticket, TicketEventKind.RECOVERY_DESK_CHECKED, actor, reference=locked.reference)
    return locked


def _require_second_supervisor(locked: AccountRecovery, actor: User) -> None:
    if not is_contact_centre_supervisor(actor):
        raise DomainError(
            "not_supervisor", _("Only a contact-centre supervisor approves or refuses a recovery.")
        )
    if actor.pk in (locked.requested_by_id, locked.facts_checked_by_id):
        raise DomainError(
            "four_eyes",
            _("A second supervisor must decide: not the agent who asked or checked the facts."),
        )


def password_reset_url(user: User) -> str:
    """allauth's own reset link (same token generator, same page)."""
    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def recovery_approve(
    *, recovery: AccountRecovery, actor: User, now: datetime | None = None
) -> AccountRecovery:
    """The second pair of eyes: the address changes now; the old one is told with a stop link,
    the new one receives the password-reset link."""
    now = now or timezone.now()
    locked = _open_recovery(recovery, now)
    _require_second_supervisor(locked, actor)
    if locked.status != RecoveryStatus.AWAITING_APPROVAL:
        raise DomainError(
            "not_checked",
            _("The person's identity is not checked yet (facts or desk): it cannot be approved."),
        )
    person = User.objects.select_for_update().get(pk=locked.person_id)
    new_email = _check_new_email(person, locked.new_email)
    old_email = person.email
    person.email = new_email
    person.save(update_fields=["email"])
    EmailAddress.objects.filter(user=person).exclude(email__iexact=new_email).delete()
    EmailAddress.objects.update_or_create(
        user=person, email=new_email, defaults={"primary": True, "verified": True}
    )
    stop_token = secrets.token_urlsafe(32)
    locked.status = RecoveryStatus.APPROVED
    locked.decided_by = actor
    locked.decided_at = now
    locked.old_email = old_email
    locked.stop_token_hash = token_hash(stop_token)
    locked.save(
        update_fields=["status", "decided_by", "decided_at", "old_email", "stop_token_hash"]
    )
    details = {"reference": locked.reference, "ticket": locked.ticket.number}
    audit_action(instance=locked, actor=actor, action="account_recovery_approve", details=details)
    audit_action(
        instance=person,
        actor=actor,
        action="account_email_change",
        changes={"email": (old_email, new_email)},
        details={
            **details,
            "requested_by": locked.requested_by_id,
            "facts_checked_by": locked.facts_checked_by_id,
            "desk_checked_by": locked.desk_checked_by_id,
        },
    )
    ticket = row_locked(locked.ticket)
    _event(ticket, TicketEventKind.RECOVERY_APPROVED, actor, reference=locked.reference)
    _transition(
        ticket,
        action="account_recovery",
        actor=actor,
        event=TicketEventKind.ACCOUNT_EMAIL_CHANGED,
        fields={"email": new_email} if ticket.email == old_email else None,
    )
    audit_action(
        instance=locked,
        actor=actor,
        action="account_recovery_old_address_told",
        details={**details, "old_email": old_email},
    )
    name = person.get_full_name() or new_email
    stop_url = settings.SITE_URL + reverse("support_public:recovery_stop", args=[stop_token])
    held_until = now + RECOVERY_HOLD
    emails.send_recovery_old_address(old_email, new_email, name, stop_url, now, held_until)
    emails.send_recovery_new_address(new_email, name, password_reset_url(person))
    return locked


@transaction.atomic
def recovery_refuse(
    *, recovery: AccountRecovery, actor: User, reason: str, now: datetime | None = None
) -> AccountRecovery:
    now = now or timezone.now()
    locked = AccountRecovery.objects.select_for_update().get(pk=recovery.pk)
    if locked.status not in OPEN_RECOVERY_STATUSES:
        raise DomainError("recovery_closed", _("This recovery is no longer waiting."))
    _require_second_supervisor(locked, actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("Say why the recovery is refused."))
    locked.status = RecoveryStatus.REFUSED
    locked.decided_by = actor
    locked.decided_at = now
    locked.refusal_reason = reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
    audit_action(
        instance=locked,
        actor=actor,
        action="account_recovery_refuse",
        details={"reference": locked.reference, "reason": reason},
    )
    _event(row_locked(locked.ticket), TicketEventKind.RECOVERY_REFUSED, actor)
    return locked


def recovery_get_by_stop_token(token: str) -> AccountRecovery | None:
    if not token:
        return None
    return (
        AccountRecovery.objects.select_related("person")
        .filter(stop_token_hash=token_hash(token))
        .first()
    )


def recovery_stoppable(recovery: AccountRecovery, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        recovery.status == RecoveryStatus.APPROVED
        and recovery.decided_at is not None
        and now < recovery.decided_at + STOP_LINK_VALIDITY
    )


@transaction.atomic
def recovery_stop(*, token: str, now: datetime | None = None) -> AccountRecovery:
    """The old address says "I did not ask for this": the account is locked at once (its
    sessions stop working) and a ticket is opened to the old address, so that the owner is
    called back and checked at a desk before anything is given back. The address is not put
    back: whoever holds the old mailbox must not gain the account either."""
    now = now or timezone.now()
    found = recovery_get_by_stop_token(token)
    if found is None:
        raise DomainError("unknown_link", _("This link is not valid."))
    locked = AccountRecovery.objects.select_for_update().get(pk=found.pk)
    if not recovery_stoppable(locked, now):
        raise DomainError(
            "not_stoppable",
            _("This link no longer works. Call the contact centre at %(phone)s.")
            % {"phone": settings.CONTACT_PHONE},
        )
    person = User.objects.select_for_update().get(pk=locked.person_id)
    person.is_active = False
    person.save(update_fields=["is_active"])
    locked.status = RecoveryStatus.STOPPED
    locked.stopped_at = now
    locked.save(update_fields=["status", "stopped_at"])
    audit_action(
        instance=locked,
        actor=None,
        action="account_recovery_stopped",
        details={"reference": locked.reference, "by": "old_address_link"},
    )
    audit_action(
        instance=person,
        actor=None,
        action="account_locked",
        changes={"is_active": (True, False)},
        details={"reason": "account_recovery_stopped", "reference": locked.reference},
    )
    _event(row_locked(locked.ticket), TicketEventKind.RECOVERY_STOPPED, None)
    ticket_open_from_contact_form(
        name=person.get_full_name() or locked.old_email,
        email=locked.old_email,
        phone="",
        foreigner_number="",
        category=TicketCategory.CANNOT_LOG_IN,
        body=(
            f"The e-mail address of this account was changed by the contact centre "
            f"(recovery {locked.reference}, ticket {locked.ticket.number}) and the old address "
            f"stopped it: the account is locked. Call the person back; give the account back "
            f"only after an identity check at a prefecture desk."
        ),
    )
    return locked


@transaction.atomic
def recovery_person_confirm(*, person: User, now: datetime | None = None) -> AccountRecovery:
    """The person, signed in with the new address, confirms they asked for the recovery. It is
    recorded for the contact centre; it lifts nothing early (a thief holding the new address
    would confirm too)."""
    now = now or timezone.now()
    recovery = (
        AccountRecovery.objects.select_for_update()
        .filter(person=person, status=RecoveryStatus.APPROVED, person_confirmed_at__isnull=True)
        .order_by("-decided_at")
        .first()
    )
    if recovery is None:
        raise DomainError("nothing_to_confirm", _("There is no recovery to confirm."))
    recovery.person_confirmed_at = now
    recovery.save(update_fields=["person_confirmed_at"])
    audit_action(
        instance=recovery,
        actor=person,
        action="account_recovery_confirmed_by_person",
        details={"reference": recovery.reference},
    )
    return recovery


@transaction.atomic
def account_password_reset_send(*, ticket: Ticket, actor: User) -> None:
    """Send allauth's password-reset link to the account's OWN address (the one on record): it
    gives the agent nothing, so it needs no identity check; the account is the ticket's person."""
    _require_agent(actor)
    locked = row_locked(ticket)
    if locked.person_id is None:
        raise DomainError(
            "no_person", _("This ticket is not linked to an account: find the account first.")
        )
    person = locked.person
    audit_action(
        instance=person,
        actor=actor,
        action="account_password_reset_send",
        details={"ticket": locked.number},
    )
    _transition(
        locked, action="account_recovery", actor=actor, event=TicketEventKind.PASSWORD_RESET_SENT
    )
    url = password_reset_url(person)
    emails.send_password_reset_link(person.email, person.get_full_name() or person.email, url)
