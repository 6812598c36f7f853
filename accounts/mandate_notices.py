"""What the person is told about their mandates (issue 15): every mandate recorded, confirmed,
used for the first time and ended (revoked, refused, expired) is a notice on their portal
(`MandateEvent`, shown on "My helpers" and their home page) and an e-mail, each with a link to
revoke it — a confirmation page, revoked only by its POST.

`mandate_notice` is called inside the service's transaction: the notice row and its e-mail (in
the outbox, anef/outbox.py) commit with the change; the e-mail leaves after commit and is tried
again while the mail server is down.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import MandateEventKind
from accounts.models import Mandate, MandateEvent, User
from anef.emails import bilingual_email_enqueue

logger = logging.getLogger(__name__)

NOTICE_TEMPLATE = "emails/mandate_notice.txt"
NOT_A_PERSON_TEMPLATE = "emails/mandate_not_a_person.txt"

_SUBJECTS = {
    MandateEventKind.CREATED: lambda: _("A helper asks to act for you: confirm or refuse"),
    MandateEventKind.CONFIRMED: lambda: _("A helper can now act for you"),
    MandateEventKind.FIRST_USED: lambda: _("A helper acted for you for the first time"),
    MandateEventKind.REVOKED: lambda: _("A mandate you gave is revoked"),
    MandateEventKind.REFUSED: lambda: _("A mandate request was refused"),
    MandateEventKind.EXPIRED: lambda: _("A mandate you gave has ended"),
}


def _url(name: str, **kwargs) -> str:
    return f"{settings.SITE_URL}{reverse(name, kwargs=kwargs or None)}"


def mandate_notice(
    *, mandate: Mandate, kind: str, actor: User | None, confirm_token: str = ""
) -> MandateEvent | None:
    """Record the notice and its e-mail, sent after commit; once per mandate and kind (a second
    call, from a second worker, does nothing)."""
    try:
        with transaction.atomic():
            event = MandateEvent.objects.create(mandate=mandate, kind=kind, actor=actor)
    except IntegrityError:
        return None
    send_mandate_notice(event.pk, confirm_token)
    return event


def send_mandate_notice(event_id: int, confirm_token: str = "") -> None:
    event = (
        MandateEvent.objects.select_related("mandate__person", "mandate__helper", "actor")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return
    mandate = event.mandate
    context = {
        "kind": event.kind,
        "mandate": mandate,
        "helper": mandate.helper.get_full_name() or mandate.helper.email,
        "organisation": mandate.organisation_name,
        "agent": (event.actor.get_full_name() or event.actor.email)
        if event.kind == MandateEventKind.CONFIRMED
        and event.actor_id != mandate.person_id
        and event.actor is not None
        else "",
        "confirm_url": _url("mandates:confirm_link", token=confirm_token) if confirm_token else "",
        "revoke_url": _url("mandates:revoke", pk=mandate.pk),
        "mine_url": _url("mandates:mine"),
        "reset_url": _url("account_reset_password"),
        "active": event.kind in (MandateEventKind.CONFIRMED, MandateEventKind.FIRST_USED),
    }
    bilingual_email_enqueue(
        to=[mandate.person.email],
        subject=_SUBJECTS[event.kind],
        template=NOTICE_TEMPLATE,
        context=context,
        idempotency_key=f"mandate-notice:{event.pk}",
        person=mandate.person,
    )


def send_not_a_person(email: str) -> None:
    """A helper typed the address of an account that is not a person's (a helper's, an
    agent's): nothing was recorded, and its holder is told — the helper is shown the same page
    as for any address, so that they learn nothing of the account."""
    bilingual_email_enqueue(
        to=[email],
        subject=lambda: _("A helper typed your e-mail address"),
        template=NOT_A_PERSON_TEMPLATE,
        context={},
    )
