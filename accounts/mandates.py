"""Mandates: a person lets a helper act for them on the portal (DESIGN.md §3, issue 6).

Reads (`mandate_*_list`, `mandate_active_for`) and writes (`mandate_grant`, `mandate_request`,
`mandate_record_signed`, `mandate_confirm`, `mandate_revoke`, `mandate_expiry_warnings_send`).
Every write is one transaction with its audit entry. Who may reach a dossier under a mandate is
decided by `applications.selectors` and `applications.permissions`, which call
`mandate_list_active_for_helper` here.

Consent is either a scanned form signed by the person (checked by its bytes, like every
document: PDF, JPEG or PNG), recorded by the helper — for people who cannot use the portal at
all, in prison or in compulsory hospital care —, or the person's own confirmation from their
account. The person may revoke a mandate at any time; the revocation takes effect at once.
"""

import calendar
import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import ConsentMethod, MandateDuration, Role
from accounts.models import Mandate, User
from anef import uploads
from anef.audit import audit_action
from anef.transactions import atomic_with_files, file_written
from applications.models import Ground

logger = logging.getLogger(__name__)

EXPIRY_EMAIL_TEMPLATE = "emails/mandate_expiring.txt"


class MandateError(Exception):
    """A request the rules refuse; `message` is plain language for the person."""

    def __init__(self, code: str, message):
        self.code, self.message = code, message
        super().__init__(f"{code}: {message}")


# --- Rules --------------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def mandate_end(starts_on: date, duration: str) -> date:
    """The last day a mandate is in force: 1 day is the start day itself; 1 month from 10 March
    ends on 9 April; and so on (the end day is included)."""
    months = {
        MandateDuration.ONE_MONTH: 1,
        MandateDuration.SIX_MONTHS: 6,
        MandateDuration.ONE_YEAR: 12,
    }
    if duration == MandateDuration.ONE_DAY:
        return starts_on
    if duration not in months:
        raise MandateError("duration", gettext_lazy("Choose how long the mandate lasts."))
    return _add_months(starts_on, months[duration]) - timedelta(days=1)


def mandate_covers(mandate: Mandate, ground_id: int) -> bool:
    return mandate.all_grounds or any(ground.pk == ground_id for ground in mandate.grounds.all())


# --- Reads --------------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def mandate_list_given(person: User) -> QuerySet[Mandate]:
    """Every mandate a person gave, for their "My helpers" page, newest first."""
    return (
        Mandate.objects.filter(person=person).select_related("helper").prefetch_related("grounds")
    )


def mandate_list_held(helper: User) -> QuerySet[Mandate]:
    """Every mandate a helper holds, for their "People I help" page, newest first."""
    return (
        Mandate.objects.filter(helper=helper)
        .select_related("person", "person__applicant_profile")
        .prefetch_related("grounds")
    )


def mandate_list_active_for_helper(helper: User, today: date | None = None) -> QuerySet[Mandate]:
    """Mandates in force today for this helper (none for anybody else)."""
    if getattr(helper, "role", None) != Role.HELPER or not helper.is_active:
        return Mandate.objects.none()
    return Mandate.objects.active_on(today or _today()).filter(helper=helper)


def mandate_active_for(helper: User, person_id: int, today: date | None = None) -> Mandate | None:
    """The helper's mandate in force today from this person, if any (the widest one first)."""
    return (
        mandate_list_active_for_helper(helper, today)
        .filter(person_id=person_id)
        .select_related("person")
        .prefetch_related("grounds")
        .order_by("-all_grounds", "-ends_on")
        .first()
    )


def mandate_acting_for_details(actor, instance) -> dict:
    """What the audit entry says of an act done under a mandate: for whom, under which
    mandate. Called by `anef.audit.audit_action` for every entry whose actor is a helper."""
    if getattr(actor, "role", None) != Role.HELPER:
        return {}
    person_id = (
        getattr(instance, "applicant_id", None)
        or getattr(getattr(instance, "application", None), "applicant_id", None)
        or getattr(instance, "holder_id", None)
        or getattr(instance, "person_id", None)
        or getattr(instance, "user_id", None)
    )
    if person_id is None:
        return {}
    mandate = mandate_active_for(actor, person_id)
    return {"acting_for": person_id, "mandate": mandate.pk if mandate else None}


# --- Writes -------------------------------------------------------------------------------------


def _person_by_email(email: str) -> User:
    person = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if person is None or person.role != Role.APPLICANT:
        raise MandateError(
            "person_unknown",
            _("We found no person's account with this e-mail address. Check it with the person."),
        )
    return person


def _helper_by_email(email: str) -> User:
    helper = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if helper is None or helper.role != Role.HELPER:
        raise MandateError(
            "helper_unknown",
            _(
                "We found no helper's account with this e-mail address. Ask the helper for the "
                "e-mail address of their helper account."
            ),
        )
    return helper


def _check_dates(starts_on: date) -> None:
    if starts_on < _today():
        raise MandateError("starts_on", _("The mandate cannot start in the past."))


def _create(
    *,
    person: User,
    helper: User,
    actor: User,
    duration: str,
    starts_on: date,
    grounds: list[Ground] | tuple,
    consent_method: str,
    consented: bool,
    organisation_name: str = "",
    organisation_email: str = "",
    action: str,
) -> Mandate:
    if person.pk == helper.pk:
        raise MandateError("self", _("A person cannot give a mandate to themselves."))
    _check_dates(starts_on)
    mandate = Mandate.objects.create(
        person=person,
        helper=helper,
        all_grounds=not grounds,
        duration=duration,
        starts_on=starts_on,
        ends_on=mandate_end(starts_on, duration),
        organisation_name=organisation_name.strip(),
        organisation_email=organisation_email.strip(),
        consent_method=consent_method,
        consented_at=timezone.now() if consented else None,
        created_by=actor,
    )
    mandate.grounds.set(grounds)
    audit_action(
        instance=mandate,
        actor=actor,
        action=action,
        details={
            "person": person.pk,
            "helper": helper.pk,
            "grounds": [ground.code for ground in grounds] or "all",
            "starts_on": starts_on.isoformat(),
            "ends_on": mandate.ends_on.isoformat(),
        },
    )
    return mandate


@transaction.atomic
def mandate_grant(
    *,
    person: User,
    helper_email: str,
    duration: str,
    starts_on: date,
    grounds: list[Ground] | tuple = (),
    organisation_name: str = "",
    organisation_email: str = "",
) -> Mandate:
    """The person, signed in, gives a mandate to a helper named by e-mail: consent is the
    person's own act, so the mandate is in force from `starts_on`."""
    return _create(
        person=person,
        helper=_helper_by_email(helper_email),
        actor=person,
        duration=duration,
        starts_on=starts_on,
        grounds=grounds,
        consent_method=ConsentMethod.ACCOUNT,
        consented=True,
        organisation_name=organisation_name,
        organisation_email=organisation_email,
        action="mandate_grant",
    )


@transaction.atomic
def mandate_request(
    *,
    helper: User,
    person_email: str,
    duration: str,
    starts_on: date,
    organisation_name: str,
    organisation_email: str,
    grounds: list[Ground] | tuple = (),
) -> Mandate:
    """The helper asks a person for a mandate; it is in force only once the person confirms it
    from their account (`mandate_confirm`)."""
    return _create(
        person=_person_by_email(person_email),
        helper=helper,
        actor=helper,
        duration=duration,
        starts_on=starts_on,
        grounds=grounds,
        consent_method=ConsentMethod.ACCOUNT,
        consented=False,
        organisation_name=organisation_name,
        organisation_email=organisation_email,
        action="mandate_request",
    )


def _check_scan(uploaded_file: UploadedFile) -> uploads.CleanFile:
    """The scan through the one upload pipeline (anef/uploads.py), as every document."""
    if uploaded_file is None or uploaded_file.size == 0:
        raise MandateError("consent_file", _("Add the scan of the form signed by the person."))
    try:
        return uploads.process(
            uploaded_file, max_bytes=settings.DOCUMENT_MAX_BYTES, default_name="mandate"
        )
    except uploads.UploadRefused as refused:
        raise MandateError("consent_file", refused.message) from refused


@atomic_with_files()
def mandate_record_signed(
    *,
    helper: User,
    person: User,
    duration: str,
    starts_on: date,
    organisation_name: str,
    organisation_email: str,
    consent_file: UploadedFile,
    grounds: list[Ground] | tuple = (),
) -> Mandate:
    """The helper records a mandate the person signed on paper (prison, hospital, PAN desk):
    the scan is the proof of consent, and the mandate is in force from `starts_on`."""
    scan = _check_scan(consent_file)
    mandate = _create(
        person=person,
        helper=helper,
        actor=helper,
        duration=duration,
        starts_on=starts_on,
        grounds=grounds,
        consent_method=ConsentMethod.SIGNED_FORM,
        consented=True,
        organisation_name=organisation_name,
        organisation_email=organisation_email,
        action="mandate_record_signed",
    )
    # Stored under a random name with the extension of the sniffed type (never the sender's).
    mandate.consent_file.save(
        uploads.storage_name(scan.content_type), ContentFile(scan.content), save=False
    )
    file_written(mandate.consent_file)  # deleted again if the transaction does not commit
    mandate.consent_content_type = scan.content_type
    mandate.save(update_fields=["consent_file", "consent_content_type"])
    return mandate


@transaction.atomic
def mandate_person_create(*, helper: User, email: str, first_name: str, last_name: str) -> User:
    """An account for a person who cannot use the portal (prison, compulsory hospital care),
    opened by the helper who records their signed mandate. No password: the person can claim
    the account later with "forgotten password"; until then only the helper acts, under the
    mandate. An existing person's account is reused."""
    from accounts.services import user_create  # accounts.services imports applications

    existing = User.objects.filter(email__iexact=email.strip()).first()
    if existing is not None:
        if existing.role != Role.APPLICANT:
            raise MandateError(
                "person_unknown",
                _("This e-mail address belongs to an account that is not a person's."),
            )
        return existing
    person = user_create(
        email=email.strip(),
        password=None,
        role=Role.APPLICANT,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    audit_action(instance=person, actor=helper, action="account_create_for_person")
    return person


@transaction.atomic
def mandate_confirm(*, mandate: Mandate, person: User) -> Mandate:
    """The person confirms, from their account, a mandate a helper asked for."""
    locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if locked.person_id != person.pk:
        raise MandateError("not_yours", _("This mandate is not yours."))
    if locked.revoked_at is not None or locked.consented_at is not None:
        raise MandateError("not_pending", _("This mandate is not waiting for your answer."))
    if locked.ends_on < _today():
        raise MandateError("ended", _("This mandate has already ended."))
    locked.consented_at = timezone.now()
    locked.save(update_fields=["consented_at"])
    audit_action(
        instance=locked,
        actor=person,
        action="mandate_confirm",
        changes={"consented_at": (None, locked.consented_at)},
    )
    return locked


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, person: User) -> Mandate:
    """The person ends a mandate, at any time, with immediate effect (or refuses a request)."""
    locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if locked.person_id != person.pk:
        raise MandateError("not_yours", _("This mandate is not yours."))
    if locked.revoked_at is not None:
        raise MandateError("already_revoked", _("This mandate is already revoked."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = person
    locked.save(update_fields=["revoked_at", "revoked_by"])
    audit_action(
        instance=locked,
        actor=person,
        action="mandate_revoke",
        changes={"revoked_at": (None, locked.revoked_at)},
    )
    return locked


# --- Expiry warnings (beat: accounts.mandate_expiry_warnings) ------------------------------------


def _warning_message(mandate: Mandate) -> EmailMessage:
    context = {
        "helper": mandate.helper.get_full_name() or mandate.helper.email,
        "person": mandate.person.get_full_name() or mandate.person.email,
        "organisation": mandate.organisation_name,
        "ends_on": mandate.ends_on,
        "url": f"{settings.SITE_URL}{reverse('mandates:helping')}",
    }
    with translation.override("fr"):
        subject = _("A mandate ends soon")
        body = render_to_string(EXPIRY_EMAIL_TEMPLATE, context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[mandate.organisation_email or mandate.helper.email],
    )


def mandate_expiry_warnings_send(today: date | None = None) -> int:
    """Warn the helper's organisation, once, that a mandate ends within
    `MANDATE_EXPIRY_WARNING_DAYS` days, so the person can renew it in time. Each mandate is
    claimed under a row lock and marked warned in the same transaction as the sending: two
    workers never warn twice; a failed sending is retried at the next run."""
    today = today or _today()
    horizon = today + timedelta(days=settings.MANDATE_EXPIRY_WARNING_DAYS)
    due = Mandate.objects.active_on(today).filter(
        ends_on__lte=horizon, expiry_warned_at__isnull=True
    )
    sent = 0
    for pk in list(due.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                mandate = (
                    Mandate.objects.select_for_update(skip_locked=True)
                    .select_related("helper", "person")
                    .filter(pk=pk, expiry_warned_at__isnull=True, revoked_at__isnull=True)
                    .first()
                )
                if mandate is None:
                    continue
                _warning_message(mandate).send()
                mandate.expiry_warned_at = timezone.now()
                mandate.save(update_fields=["expiry_warned_at"])
                audit_action(instance=mandate, actor=None, action="mandate_expiry_warned")
                sent += 1
        except Exception:  # one failed sending must not stop the others
            logger.exception("Mandate %s: expiry warning not sent, retried next run", pk)
    return sent
