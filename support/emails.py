"""E-mails of the contact centre, in French then English (DESIGN.md §5).

They tell the person that something happened and give the private follow-up link; they never
carry an internal note, nor the written acknowledgement itself (an e-mail can be forwarded or
read on a shared phone: the document is downloaded from the follow-up page).
Every function here is called inside the transaction of the `support` service that makes the
change: the e-mail is written to the outbox (anef/outbox.py) with the change and sent after
commit, tried again while the mail server is down.
"""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from anef.emails import bilingual_email_enqueue
from support.models import Ticket, follow_up_token

logger = logging.getLogger(__name__)


def follow_up_url(ticket: Ticket) -> str:
    token = follow_up_token(ticket.follow_up_nonce)
    return f"{settings.SITE_URL}{reverse('support_public:follow_up', args=[token])}"


def _send(
    to: list[str], subject, template: str, context: dict, *, key: str | None = None, person=None
) -> None:
    recipients = [address for address in to if address]
    if not recipients:
        return
    context = {"contact_phone": settings.CONTACT_PHONE, **context}
    try:
        bilingual_email_enqueue(
            to=recipients,
            subject=subject,
            template=template,
            context=context,
            idempotency_key=key,
            person=person,
        )
    except Exception:  # a broken template must not lose the ticket (its change is committed)
        logger.exception("Contact-centre e-mail %s to %s not written", template, recipients)


def _ticket_context(ticket: Ticket) -> dict:
    return {"ticket": ticket, "name": ticket.name, "follow_up_url": follow_up_url(ticket)}


def send_ticket_received(ticket_id: int) -> None:
    """Ticket number and private follow-up link, right after the request is received."""
    ticket = Ticket.objects.get(pk=ticket_id)
    _send(
        [ticket.email],
        lambda: _("Your request %(number)s was received") % {"number": ticket.number},
        "emails/support_ticket_received.txt",
        _ticket_context(ticket),
        key=f"support:ticket-received:{ticket.pk}",
        person=ticket.person,
    )


def send_new_answer(ticket_id: int) -> None:
    """A public answer was written: the person reads it through the link (never a note)."""
    ticket = Ticket.objects.get(pk=ticket_id)
    _send(
        [ticket.email],
        lambda: _("New answer to your request %(number)s") % {"number": ticket.number},
        "emails/support_new_answer.txt",
        _ticket_context(ticket),
        person=ticket.person,
    )


def send_technical_impossibility(ticket_id: int) -> None:
    """What happens next after the confirmation, and where to download the acknowledgement."""
    ticket = Ticket.objects.select_related("acknowledgement", "prefecture").get(pk=ticket_id)
    _send(
        [ticket.email],
        lambda: (
            _("Your request %(number)s: another way to file your application")
            % {"number": ticket.number}
        ),
        "emails/support_technical_impossibility.txt",
        _ticket_context(ticket),
        key=f"support:technical-impossibility:{ticket.pk}",
        person=ticket.person,
    )


def send_deadline_alert(ticket_id: int, deadline: str, recipients: list[str]) -> None:
    """To supervisors: a ticket missed its deadline (once per deadline)."""
    ticket = Ticket.objects.get(pk=ticket_id)
    _send(
        recipients,
        lambda: _("Ticket %(number)s is late") % {"number": ticket.number},
        "emails/support_deadline_alert.txt",
        {
            "ticket": ticket,
            "deadline": deadline,
            "console_url": settings.SITE_URL
            + reverse("support_console:ticket_detail", args=[ticket.number]),
        },
        key=f"support:deadline-alert:{ticket.pk}:{deadline}",
    )


def send_password_reset_link(email: str, name: str, url: str) -> None:
    _send(
        [email],
        lambda: _("Choose a new password"),
        "emails/support_password_reset.txt",
        {"name": name, "reset_url": url},
    )


def send_email_changed(old_email: str, new_email: str, name: str) -> None:
    """Both addresses are told, so that a change the person did not ask for is noticed."""
    _send(
        [old_email, new_email],
        lambda: _("The e-mail address of your account was changed"),
        "emails/support_email_changed.txt",
        {"name": name, "old_email": old_email, "new_email": new_email},
    )


def send_recovery_old_address(
    old_email: str, new_email: str, name: str, stop_url: str, changed_at, held_until
) -> None:
    """To the OLD address, at once: the change, and the link that stops it (issue 15)."""
    _send(
        [old_email],
        lambda: _("The e-mail address of your account was changed"),
        "emails/support_recovery_old_address.txt",
        {
            "name": name,
            "new_email": new_email,
            "stop_url": stop_url,
            "changed_at": changed_at,
            "held_until": held_until,
        },
    )


def send_recovery_new_address(new_email: str, name: str, reset_url: str) -> None:
    """To the NEW address: allauth's reset link, and the request to confirm the recovery."""
    _send(
        [new_email],
        lambda: _("Choose a new password"),
        "emails/support_recovery_new_address.txt",
        {
            "name": name,
            "reset_url": reset_url,
            "confirm_url": settings.SITE_URL + reverse("support_portal:recovery_confirm"),
        },
    )


def send_callback_scheduled(callback_id: int) -> None:
    """The day and time we will call, and the private link (never the number called)."""
    from support.models import Callback

    callback = Callback.objects.select_related("ticket__person").get(pk=callback_id)
    ticket = callback.ticket
    _send(
        [ticket.email],
        lambda: (
            _("We will call you back about your request %(number)s") % {"number": ticket.number}
        ),
        "emails/support_callback_scheduled.txt",
        {**_ticket_context(ticket), "starts_at": callback.starts_at},
        key=f"support:callback-scheduled:{callback.pk}",
        person=ticket.person,
    )
