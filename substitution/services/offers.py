"""The automatic offer (issue 6): failures of an essential step are recorded, and past the
threshold the person blocked on the portal is offered an appointment they can accept in one step."""

import logging
from datetime import datetime

from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef.errors import DomainError
from substitution import selectors
from substitution.enums import CaseOrigin, FailureStep
from substitution.models import Appointment, FailureRecord, Slot
from substitution.services.appointments import appointment_book
from substitution.services.cases import open_case

logger = logging.getLogger(__name__)


def failure_record(
    *,
    step: str,
    user: User | None = None,
    email: str = "",
    code: str = "",
    failed: bool = True,
) -> FailureRecord | None:
    """Record that an essential step failed (issue 6). Keyed by the account when known, else
    by a keyed hash of the e-mail typed; never a password, never a file. Without either key
    there is nobody to offer anything to, and nothing is recorded. Never raises: a failure to
    record must not add a second error to the person's first one."""
    if not failed:  # lets a view call this unconditionally, in one line, after a step
        return None
    known = user if getattr(user, "is_authenticated", False) else None
    fingerprint = "" if known is not None else selectors.email_fingerprint(email)
    if known is None and not fingerprint:
        return None
    try:
        with transaction.atomic():
            return FailureRecord.objects.create(
                step=step, user=known, email_hash=fingerprint, code=(code or "")[:64]
            )
    except DatabaseError:
        logger.exception("Failure of step %s not recorded", step)
        return None


@transaction.atomic
def offer_accept(
    *, person: User, slot: Slot, now: datetime | None = None, origin_ip: str = ""
) -> Appointment:
    """The person blocked on the portal accepts the substitution offered: a case is opened by
    automatic detection (or their open one reused) and the appointment booked, in one step."""
    case = selectors.case_open_for_person(person)
    if case is None:
        if not selectors.failure_offer_due(user=person, now=now):
            raise DomainError(
                "offer_not_due",
                _("Call the contact centre: a person will help you and can offer an appointment."),
            )
        case = open_case(
            origin=CaseOrigin.AUTOMATIC_DETECTION,
            person=person,
            # No summary: the origin says it, in the reader's language (an English sentence
            # stored here showed on the French back office, walked 2026-12-04).
            summary="",
            opened_by=person,
        )
    return appointment_book(case=case, slot=slot, actor=person, now=now, origin_ip=origin_ip)


def signup_refused(form) -> None:
    """Called by the sign-up form after validation: a refused sign-up is a failure of an
    essential step, keyed by a hash of the e-mail typed (never the password). Past the
    threshold, the form itself offers the appointment, on the page where the person is stuck."""
    if not form.is_bound or not form.errors:
        return
    email = str(form.data.get("email") or "")
    failure_record(step=FailureStep.SIGNUP, email=email, code="signup_refused")
    if selectors.failure_offer_due(email=email):
        form.add_error(
            None,
            format_html(
                '{} <a href="{}">{}</a>',
                _(
                    "You seem unable to create an account. You have the right to file your "
                    "application another way: an appointment at the prefecture is offered to you."
                ),
                reverse("substitution_public:help_request"),
                _("Choose an appointment"),
            ),
        )
