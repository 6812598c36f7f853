"""How and when a decision reached the person (issue 18).

The remedies against a decision run from its notification (CRPA L. 411-2, CJA R. 421-1: two
months), so the day it was notified is recorded on the dossier with the way it travelled:

- **in the online account, with an e-mail**: the decision is readable in the account as soon as
  it is taken, and the e-mail telling so is written to the outbox in the decision's own
  transaction (anef/outbox.py): it exists if and only if the decision was committed. The day
  recorded is the day of the decision, the earliest day the person could have read it, so the
  « before <date> » shown to them is never later than the law's;
- **by letter** or **handed over at the prefecture**: the agent records the day of receipt (the
  registered letter's acknowledgement, the handover) once they know it
  (`application_record_notification`); until then the person is told that the two months start
  when the decision reaches them.

Whether a refusal comes with an obligation to leave France (OQTF) can also be recorded after the
decision (`application_record_obligation_to_leave`): without it, no date of remedy is computed.
"""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef.audit import audit_action
from anef.emails import bilingual_email_enqueue
from anef.errors import DomainError
from applications.enums import ApplicationStatus, EventKind, NotificationChannel
from applications.models import Application
from applications.rules import DECIDED_STATES
from applications.services._core import _event


def _dossier_url(application: Application) -> str:
    from django.conf import settings

    path = reverse("portal:application_detail", kwargs={"reference": application.reference})
    return f"{settings.SITE_URL}{path}"


def _set_notification(
    application: Application, *, actor: User, channel: str, notified_on: date | None
) -> Application:
    """Lock, record, event (when a day is known) and audit entry; inside the caller's
    transaction."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    changes = {}
    for field, value in (("notification_channel", channel), ("notified_on", notified_on)):
        if getattr(locked, field) != value:
            changes[field] = (getattr(locked, field), value)
            setattr(locked, field, value)
    locked.save(update_fields=["notification_channel", "notified_on", "updated_at"])
    if notified_on is not None:
        _event(
            locked,
            EventKind.DECISION_NOTIFIED,
            actor,
            notified_on=notified_on.isoformat(),
            channel=channel,
        )
    audit_action(instance=locked, actor=actor, action="decision_notification", changes=changes)
    return locked


def decision_notify(*, application: Application, actor: User, channel: str) -> Application:
    """Called by each decision service in its transaction, right after the decision.

    Online: the e-mail goes to the outbox (idempotency key: the dossier and the decision's
    instant, so a decision taken again after a re-opening is told again) and the day is
    recorded. Letter or handover: only the channel; the day follows
    (`application_record_notification`)."""
    if channel not in NotificationChannel.values:
        raise DomainError("notification_channel_invalid", _("Choose how the decision is sent."))
    if channel != NotificationChannel.PORTAL_EMAIL:
        return _set_notification(application, actor=actor, channel=channel, notified_on=None)
    applicant = application.applicant
    if not applicant.email:
        raise DomainError(
            "notification_no_email",
            _("This person has no e-mail address: send the decision by letter or hand it over."),
        )
    bilingual_email_enqueue(
        to=[applicant.email],
        subject=lambda: (
            gettext("A decision was taken on your application %(reference)s")
            % {"reference": application.reference}
        ),
        template="emails/decision_notified.txt",
        context={"application": application, "dossier_url": _dossier_url(application)},
        idempotency_key=f"decision:{application.pk}:{application.decided_at.isoformat()}",
        person=applicant,
    )
    return _set_notification(
        application, actor=actor, channel=channel, notified_on=timezone.localdate()
    )


@transaction.atomic
def application_record_notification(
    *, application: Application, actor: User, channel: str, notified_on: date
) -> Application:
    """The agent records how and on which day a decision reached the person (a letter's
    acknowledgement of receipt, a handover at the desk). It may correct an earlier record: the
    audit entry keeps the day before and after."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in DECIDED_STATES or locked.decided_at is None:
        raise DomainError(
            "notification_without_decision", _("No decision has been taken on this application.")
        )
    if channel not in NotificationChannel.values:
        raise DomainError("notification_channel_invalid", _("Choose how the decision was sent."))
    if notified_on > timezone.localdate():
        raise DomainError(
            "notification_in_future", _("The day of notification cannot be in the future.")
        )
    if notified_on < timezone.localdate(locked.decided_at):
        raise DomainError(
            "notification_before_decision",
            _("The day of notification cannot be before the day of the decision."),
        )
    return _set_notification(locked, actor=actor, channel=channel, notified_on=notified_on)


@transaction.atomic
def application_record_obligation_to_leave(
    *, application: Application, actor: User, obligation_to_leave: bool
) -> Application:
    """The agent records, after a refusal, whether it comes with an obligation to leave France
    (OQTF): decisions taken before the question was asked (or through the API, which does not
    ask) left it unrecorded, and the person is then told to read the decision for the
    remedies' limits. Only a refusal can carry one (a closure never does), and only an agent of
    the dossier's prefecture records it; a correction keeps the value before and after in the
    audit entry. Recording the same answer again changes nothing."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if getattr(actor, "prefecture_id", None) != locked.prefecture_id:
        raise DomainError("not_yours", _("This application is handled by another prefecture."))
    if locked.status != ApplicationStatus.UNFAVOURABLE or locked.decided_at is None:
        raise DomainError(
            "obligation_to_leave_without_refusal",
            _("Only a refusal can come with an obligation to leave France."),
        )
    before = locked.decision_obligation_to_leave
    if before is obligation_to_leave:
        return locked
    locked.decision_obligation_to_leave = obligation_to_leave
    locked.save(update_fields=["decision_obligation_to_leave", "updated_at"])
    _event(
        locked,
        EventKind.OBLIGATION_TO_LEAVE_RECORDED,
        actor,
        obligation_to_leave=obligation_to_leave,
    )
    audit_action(
        instance=locked,
        actor=actor,
        action="decision_obligation_to_leave",
        changes={"decision_obligation_to_leave": (before, obligation_to_leave)},
    )
    return locked
