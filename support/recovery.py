"""Account recovery by the contact centre: identity checks recorded in the ticket, then a new
e-mail address or a password-reset link (allauth's own), every act audited. Part of
`support.services` (re-exported there); split only to keep modules short."""

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.models import User
from accounts.permissions import is_contact_centre_agent
from anef.audit import audit_action
from anef.services import row_locked
from support import emails
from support.enums import AuthorSide, IdentityCheck, MessageKind, TicketEventKind
from support.models import Ticket
from support.services import SupportError, _message_add, _on_commit, _transition

# Two independent checks at least before an account is touched.
MIN_IDENTITY_CHECKS = 2


@transaction.atomic
def ticket_identity_checks_record(
    *, ticket: Ticket, actor: User, person: User, checks: list[str], note: str = ""
) -> Ticket:
    """Record which checks the agent did to know that the caller is the account's owner; only
    then may the account be recovered through this ticket."""
    if not is_contact_centre_agent(actor):
        raise SupportError("forbidden", _("Only contact-centre agents check identities."))
    checks = sorted(set(checks) & set(IdentityCheck.values))
    if len(checks) < MIN_IDENTITY_CHECKS:
        raise SupportError(
            "identity_checks",
            _("Check at least %(count)s facts that only the account's owner knows.")
            % {"count": MIN_IDENTITY_CHECKS},
        )
    if person.role not in (Role.APPLICANT, Role.HELPER):
        raise SupportError(
            "person", _("Only applicants' and helpers' accounts are recovered here.")
        )
    locked = row_locked(ticket)
    if note.strip():
        _message_add(
            locked, kind=MessageKind.NOTE, side=AuthorSide.CONTACT_CENTRE, author=actor, body=note
        )
    return _transition(
        locked,
        action="account_recovery",
        actor=actor,
        event=TicketEventKind.IDENTITY_CHECKED,
        fields={"person": person, "identity_checks": checks, "identity_checked_at": timezone.now()},
        checks=checks,
        person=person.pk,
    )


def _checked_person(ticket: Ticket) -> User:
    if ticket.person_id is None or len(ticket.identity_checks) < MIN_IDENTITY_CHECKS:
        raise SupportError(
            "identity_not_checked",
            _("Record the identity checks in this ticket before changing the account."),
        )
    return ticket.person


@transaction.atomic
def account_email_change(*, ticket: Ticket, actor: User, new_email: str) -> User:
    """Give the account a new e-mail address (the person lost access to the old one), keeping
    allauth's addresses in step; both addresses are told."""
    if not is_contact_centre_agent(actor):
        raise SupportError("forbidden", _("Only contact-centre agents recover accounts."))
    locked = row_locked(ticket)
    person = User.objects.select_for_update().get(pk=_checked_person(locked).pk)
    new_email = (new_email or "").strip().lower()
    if not new_email:
        raise SupportError("email_required", _("Give the new e-mail address."))
    taken = User.objects.filter(email__iexact=new_email).exclude(pk=person.pk).exists()
    taken = (
        taken or EmailAddress.objects.filter(email__iexact=new_email).exclude(user=person).exists()
    )
    if taken:
        raise SupportError("email_taken", _("Another account already uses this address."))
    old_email = person.email
    person.email = new_email
    person.save(update_fields=["email"])
    EmailAddress.objects.filter(user=person).exclude(email__iexact=new_email).delete()
    EmailAddress.objects.update_or_create(
        user=person,
        email=new_email,
        defaults={"primary": True, "verified": True},
    )
    audit_action(
        instance=person,
        actor=actor,
        action="account_email_change",
        changes={"email": (old_email, new_email)},
        details={"ticket": locked.number, "identity_checks": locked.identity_checks},
    )
    _transition(
        locked,
        action="account_recovery",
        actor=actor,
        event=TicketEventKind.ACCOUNT_EMAIL_CHANGED,
        fields={"email": new_email} if locked.email == old_email else None,
    )
    name = person.get_full_name() or new_email
    _on_commit(emails.send_email_changed, old_email, new_email, name)
    return person


def password_reset_url(user: User) -> str:
    """allauth's own reset link (same token generator, same page)."""
    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def account_password_reset_send(*, ticket: Ticket, actor: User) -> None:
    """Send allauth's password-reset link to the account's address, after identity checks."""
    if not is_contact_centre_agent(actor):
        raise SupportError("forbidden", _("Only contact-centre agents recover accounts."))
    locked = row_locked(ticket)
    person = _checked_person(locked)
    audit_action(
        instance=person,
        actor=actor,
        action="account_password_reset_send",
        details={"ticket": locked.number, "identity_checks": locked.identity_checks},
    )
    _transition(
        locked, action="account_recovery", actor=actor, event=TicketEventKind.PASSWORD_RESET_SENT
    )
    url = password_reset_url(person)
    _on_commit(
        emails.send_password_reset_link, person.email, person.get_full_name() or person.email, url
    )
