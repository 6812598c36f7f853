"""Mandates: a person lets a helper act for them on the portal (DESIGN.md §3, issue 6).

Reads (`mandate_*_list`, `mandate_active_for`) and writes (`mandate_grant`, `mandate_request`,
`mandate_record`, `mandate_confirm`, `mandate_confirm_by_link`, `mandate_identity_check_record`,
`mandate_revoke`, `mandate_expiry_warnings_send`, `mandate_end_notices_send`).
Every write is one transaction with its audit entry. Who may reach a dossier under a mandate is
decided by `applications.selectors` and `applications.permissions`, which call
`mandate_list_active_for_helper` here.

Consent is proven (issue 15), never taken on a helper's word: a mandate is in force only once
the person gave or confirmed it from their account, confirmed it through the single-use link
sent to their verified address, or a prefecture agent checked their identity and the form they
signed (a scan recorded by the helper — for people who cannot use the portal at all, in prison
or in compulsory hospital care). Until then it is pending, and every access check treats it as
absent (`Mandate.objects.active_on` requires `consented_at`). Starting a mandate never tells the
helper whether an address has an account. The person is told of every step (`mandate_notices`)
and may revoke a mandate at any time; the revocation takes effect at once.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core import signing
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

from accounts.enums import ConsentMethod, ConsentProof, MandateDuration, MandateEventKind, Role
from accounts.mandate_notices import mandate_notice, send_not_a_person
from accounts.models import Mandate, MandateEvent, User
from anef import generations, uploads
from anef.audit import audit_action
from anef.errors import DomainError
from anef.outbox import enqueue_email
from anef.transactions import atomic_with_files, file_written
from reference.models import Ground

logger = logging.getLogger(__name__)

EXPIRY_EMAIL_TEMPLATE = "emails/mandate_expiring.txt"


# --- Rules --------------------------------------------------------------------------------------


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
        raise DomainError("duration", gettext_lazy("Choose how long the mandate lasts."))
    # A month later is the same day, or the month's last day (31 Jan + 1 month = 28/29 Feb).
    return starts_on + relativedelta(months=months[duration]) - timedelta(days=1)


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
    """The helper's mandate in force today from this person, if any (the widest one first).
    Each use of a mandate goes through here: the first one is told to the person."""
    mandate = (
        mandate_list_active_for_helper(helper, today)
        .filter(person_id=person_id)
        .select_related("person", "helper")
        .prefetch_related("grounds")
        .order_by("-all_grounds", "-ends_on")
        .first()
    )
    if mandate is not None and mandate.first_used_at is None:
        mandate_first_use_record(mandate)
    return mandate


def mandate_acting_for_details(actor, instance) -> dict:
    """What the audit entry says of an act done under a mandate: for whom, under which
    mandate. Registered into `anef.audit` by `AccountsConfig.ready`, so that `audit_action`
    asks it for every entry; it answers only for a helper."""
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


def _helper_by_email(email: str) -> User:
    helper = User.objects.filter_by_email((email or "").strip()).filter(is_active=True).first()
    if helper is None or helper.role != Role.HELPER:
        raise DomainError(
            "helper_unknown",
            _(
                "We found no helper's account with this e-mail address. Ask the helper for the "
                "e-mail address of their helper account."
            ),
        )
    return helper


def _check_dates(starts_on: date) -> None:
    if starts_on < _today():
        raise DomainError("starts_on", _("The mandate cannot start in the past."))


def _create(
    *,
    person: User,
    helper: User,
    actor: User,
    duration: str,
    starts_on: date,
    grounds: list[Ground] | tuple,
    consent_method: str,
    proof: str = "",
    organisation_name: str = "",
    organisation_email: str = "",
    declared: dict | None = None,
    action: str,
) -> Mandate:
    """A new mandate. `proof` is given only when the person themselves gives it from their
    account (`mandate_grant`); any mandate a helper starts waits for a proof."""
    if person.pk == helper.pk:
        raise DomainError("self", _("A person cannot give a mandate to themselves."))
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
        consented_at=timezone.now() if proof else None,
        confirmed_via=proof,
        confirmed_by=person if proof else None,
        created_by=actor,
        **(declared or {}),
    )
    mandate.grounds.set(grounds)
    generations.bump_person(person.pk, helper.pk)
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
            "in_force": bool(proof),
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
    person's own act, so the mandate is in force from `starts_on` (and the person is told by
    e-mail too: a stolen session that gives a mandate does not go unseen)."""
    mandate = _create(
        person=person,
        helper=_helper_by_email(helper_email),
        actor=person,
        duration=duration,
        starts_on=starts_on,
        grounds=grounds,
        consent_method=ConsentMethod.ACCOUNT,
        proof=ConsentProof.PERSON_ACCOUNT,
        organisation_name=organisation_name,
        organisation_email=organisation_email,
        action="mandate_grant",
    )
    mandate_notice(mandate=mandate, kind=MandateEventKind.CONFIRMED, actor=person)
    return mandate


def _person_for_mandate(*, helper: User, email: str, first_name: str, last_name: str):
    """The person's account for a mandate a helper starts, and whether it was just opened.

    Never tells the helper whether the address had an account: an applicant's existing account
    is used (its holder is asked to confirm, nothing is in force until then), a missing one is
    opened, and an account that is not a person's gives None (its holder is told; the caller
    shows the helper the same page)."""
    from accounts.services import user_create  # accounts.services imports applications

    email = (email or "").strip()
    existing = User.objects.filter_by_email(email).first()
    if existing is not None:
        if existing.role != Role.APPLICANT or not existing.is_active:
            send_not_a_person(existing.email)
            audit_action(
                instance=existing,
                actor=helper,
                action="mandate_refused_not_a_person",
                details={"helper": helper.pk},
            )
            return None, False
        return existing, False
    person = user_create(
        email=email,
        password=None,
        role=Role.APPLICANT,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    audit_action(instance=person, actor=helper, action="account_create_for_person")
    return person, True


@transaction.atomic
def mandate_person_create(
    *, helper: User, email: str, first_name: str, last_name: str
) -> User | None:
    """An account for a person who cannot use the portal (prison, compulsory hospital care),
    opened by the helper who records their signed form. No password: the person claims it
    with "forgotten password". An existing person's account is used as it is — it is not
    taken over: the mandate recorded on it waits for its holder's consent. None when the
    address is an account that is not a person's (the caller must answer as for any other)."""
    return _person_for_mandate(
        helper=helper, email=email, first_name=first_name, last_name=last_name
    )[0]


def _address_verified(person: User) -> bool:
    return EmailAddress.objects.filter(
        user=person, email__iexact=person.email, verified=True
    ).exists()


def _ask_the_person(mandate: Mandate, actor: User) -> None:
    """Tell the person a helper started a mandate. The single-use link goes only to an address
    the person verified: an address the helper typed for a new account proves nothing (the
    person then confirms from their account once claimed, or an agent checks at a desk)."""
    token = ""
    if _address_verified(mandate.person):
        nonce = secrets.token_urlsafe(24)
        mandate.confirmation_nonce_hash = _nonce_hash(nonce)
        mandate.confirmation_sent_at = timezone.now()
        mandate.save(update_fields=["confirmation_nonce_hash", "confirmation_sent_at"])
        token = signing.dumps({"m": mandate.pk, "n": nonce}, salt=LINK_SALT)
    mandate_notice(mandate=mandate, kind=MandateEventKind.CREATED, actor=actor, confirm_token=token)


def _declared(email: str, first_name: str = "", last_name: str = "", postal_code: str = ""):
    return {
        "declared_email": (email or "").strip(),
        "declared_first_name": (first_name or "").strip(),
        "declared_last_name": (last_name or "").strip(),
        "declared_postal_code": (postal_code or "").strip(),
    }


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
) -> Mandate | None:
    """The helper asks a person for a mandate; it is in force only once the person confirms it
    (from their account or the e-mailed link). Whatever the address, the helper is answered
    the same (None only when the address is not a person's account: nothing is recorded)."""
    _check_dates(starts_on)
    person, _created = _person_for_mandate(
        helper=helper, email=person_email, first_name="", last_name=""
    )
    if person is None:
        return None
    mandate = _create(
        person=person,
        helper=helper,
        actor=helper,
        duration=duration,
        starts_on=starts_on,
        grounds=grounds,
        consent_method=ConsentMethod.ACCOUNT,
        organisation_name=organisation_name,
        organisation_email=organisation_email,
        declared=_declared(person_email),
        action="mandate_request",
    )
    _ask_the_person(mandate, helper)
    return mandate


def _check_scan(uploaded_file: UploadedFile) -> uploads.CleanFile:
    """The scan through the one upload pipeline (anef/uploads.py), as every document."""
    if uploaded_file is None or uploaded_file.size == 0:
        raise DomainError("consent_file", _("Add the scan of the form signed by the person."))
    try:
        return uploads.process(
            uploaded_file, max_bytes=settings.DOCUMENT_MAX_BYTES, default_name="mandate"
        )
    except uploads.UploadRefused as refused:
        raise DomainError("consent_file", refused.message) from refused


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
    declared: dict | None = None,
) -> Mandate:
    """The helper records a mandate the person signed on paper (prison, hospital, PAN desk).
    The scan is the helper's word, not a proof (issue 15): the mandate waits until the person
    confirms it or an agent checks their identity and the form (`mandate_identity_check_record`).
    """
    scan = _check_scan(consent_file)
    mandate = _create(
        person=person,
        helper=helper,
        actor=helper,
        duration=duration,
        starts_on=starts_on,
        grounds=grounds,
        consent_method=ConsentMethod.SIGNED_FORM,
        organisation_name=organisation_name,
        organisation_email=organisation_email,
        declared=declared or _declared(person.email),
        action="mandate_record_signed",
    )
    # Stored under a random name with the extension of the sniffed type (never the sender's).
    mandate.consent_file.save(
        uploads.storage_name(scan.content_type), ContentFile(scan.content), save=False
    )
    file_written(mandate.consent_file)  # deleted again if the transaction does not commit
    mandate.consent_content_type = scan.content_type
    mandate.save(update_fields=["consent_file", "consent_content_type"])
    _ask_the_person(mandate, helper)
    return mandate


@atomic_with_files()
def mandate_record(
    *,
    helper: User,
    person_email: str,
    first_name: str,
    last_name: str,
    duration: str,
    starts_on: date,
    organisation_name: str,
    organisation_email: str,
    consent_file: UploadedFile,
    postal_code: str = "",
    grounds: list[Ground] | tuple = (),
) -> Mandate | None:
    """What the helper's "record a signed mandate" form does, in one transaction: the checks
    that do not depend on the address first (so that their refusals never tell whether it has
    an account), then the person's account (used, or opened), then the pending mandate."""
    _check_scan(consent_file)
    _check_dates(starts_on)
    mandate_end(starts_on, duration)
    person, _created = _person_for_mandate(
        helper=helper, email=person_email, first_name=first_name, last_name=last_name
    )
    if person is None:
        return None
    return mandate_record_signed(
        helper=helper,
        person=person,
        duration=duration,
        starts_on=starts_on,
        organisation_name=organisation_name,
        organisation_email=organisation_email,
        consent_file=consent_file,
        grounds=grounds,
        declared=_declared(person_email, first_name, last_name, postal_code),
    )


def _lock(mandate: Mandate) -> Mandate:
    return Mandate.objects.select_for_update().select_related("person", "helper").get(pk=mandate.pk)


def _check_pending(locked: Mandate) -> None:
    if locked.revoked_at is not None or locked.consented_at is not None:
        raise DomainError("not_pending", _("This mandate is not waiting for an answer."))
    if locked.ends_on < _today():
        raise DomainError("ended", _("This mandate has already ended."))


def _prove(locked: Mandate, *, via: str, by: User, action: str, details: dict | None = None):
    if by.pk == locked.helper_id:  # the database refuses it too (mandate_consent_proven)
        raise DomainError("not_yours", _("This mandate is not yours."))
    locked.consented_at = timezone.now()
    locked.confirmed_via = via
    locked.confirmed_by = by
    locked.confirmation_nonce_hash = ""
    locked.save(
        update_fields=["consented_at", "confirmed_via", "confirmed_by", "confirmation_nonce_hash"]
    )
    generations.bump_person(locked.person_id, locked.helper_id)
    audit_action(
        instance=locked,
        actor=by,
        action=action,
        changes={"consented_at": (None, locked.consented_at)},
        details={
            "person": locked.person_id,
            "helper": locked.helper_id,
            "via": via,
            **(details or {}),
        },
    )
    mandate_notice(mandate=locked, kind=MandateEventKind.CONFIRMED, actor=by)
    return locked


@transaction.atomic
def mandate_confirm(*, mandate: Mandate, person: User) -> Mandate:
    """The person confirms, from their account, a mandate a helper asked for or recorded."""
    locked = _lock(mandate)
    if locked.person_id != person.pk or person.role != Role.APPLICANT:
        raise DomainError("not_yours", _("This mandate is not yours."))
    _check_pending(locked)
    return _prove(locked, via=ConsentProof.PERSON_ACCOUNT, by=person, action="mandate_confirm")


# --- The single-use link sent to the person's verified address -----------------------------------

LINK_SALT = "accounts.mandate.confirm"
LINK_MAX_AGE = timedelta(days=7)


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _link_invalid() -> DomainError:
    return DomainError(
        "link_invalid",
        _("This link is not valid, or it was already used. Open « My helpers » in your account."),
    )


def mandate_for_link(token: str, *, lock: bool = False) -> Mandate:
    """The mandate a confirmation link is for, if the link is genuine, unexpired and unused."""
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise DomainError(
            "link_expired",
            _("This link has expired. Open « My helpers » in your account to answer."),
        ) from error
    except signing.BadSignature as error:
        raise _link_invalid() from error
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        raise _link_invalid()
    queryset = Mandate.objects.select_related("person", "helper").prefetch_related("grounds")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    mandate = queryset.filter(pk=payload.get("m")).first()
    if mandate is None or not mandate.confirmation_nonce_hash:
        raise _link_invalid()
    if not hmac.compare_digest(mandate.confirmation_nonce_hash, _nonce_hash(payload["n"])):
        raise _link_invalid()
    _check_pending(mandate)
    return mandate


def _link_user_check(mandate: Mandate, user) -> None:
    """Whoever holds the link proves they read the person's mailbox; but someone signed in to
    another account (the helper above all) is refused: they are not the person."""
    if getattr(user, "is_authenticated", False) and user.pk != mandate.person_id:
        raise DomainError(
            "link_other_account",
            _(
                "This link is for another account. Sign out, then open the link again, or "
                "sign in to the account it was sent to."
            ),
        )


@transaction.atomic
def mandate_confirm_by_link(*, token: str, user) -> Mandate:
    """The person confirms through the link e-mailed to their verified address (POST only)."""
    locked = mandate_for_link(token, lock=True)
    _link_user_check(locked, user)
    return _prove(
        locked, via=ConsentProof.EMAIL_LINK, by=locked.person, action="mandate_confirm_link"
    )


@transaction.atomic
def mandate_refuse_by_link(*, token: str, user) -> Mandate:
    """The person refuses through the same link: the mandate ends before it ever started."""
    locked = mandate_for_link(token, lock=True)
    _link_user_check(locked, user)
    return _end(locked, by=locked.person, action="mandate_refuse_link")


# --- The identity check by a prefecture agent (PAN / France-Services desk) ----------------------


def mandate_check_prefecture_ids(mandate: Mandate) -> set[int]:
    """The prefectures whose agents may check this person's identity: those of the person's
    dossiers and of their address on record; only for a person with neither (an account just
    opened for someone in prison), the one of the postal code the helper typed."""
    from anef.generations import person_prefecture_ids
    from reference.models import Prefecture
    from reference.rules import departement_code_for_postal_code

    # The dossiers live above accounts: applications registers how to find their prefectures.
    ids = person_prefecture_ids(mandate.person_id)
    profile = getattr(mandate.person, "applicant_profile", None)
    postal_codes = [profile.postal_code] if profile is not None else []
    if not ids and profile is None:
        postal_codes.append(mandate.declared_postal_code)
    for postal_code in postal_codes:
        try:
            departement = departement_code_for_postal_code(postal_code)
        except ValueError:
            continue
        ids.update(
            Prefecture.objects.filter(departement_code=departement).values_list("pk", flat=True)
        )
    ids.discard(None)
    return ids


def mandate_list_awaiting_check(agent: User) -> list[Mandate]:
    """Signed-form mandates waiting for a proof that this agent's prefecture may check."""
    if getattr(agent, "role", None) != Role.PREFECTURE_AGENT or not agent.prefecture_id:
        return []
    pending = (
        Mandate.objects.filter(
            consented_at__isnull=True, revoked_at__isnull=True, ends_on__gte=_today()
        )
        .exclude(consent_file="")
        .select_related("person", "person__applicant_profile", "helper")
        .prefetch_related("grounds")
        .order_by("created_at")
    )
    return [m for m in pending if agent.prefecture_id in mandate_check_prefecture_ids(m)]


def mandate_awaiting_check_get(agent: User, pk: int) -> Mandate | None:
    return next((m for m in mandate_list_awaiting_check(agent) if m.pk == pk), None)


@transaction.atomic
def mandate_identity_check_record(
    *, mandate: Mandate, agent: User, identity_document: str
) -> Mandate:
    """A prefecture agent saw the person (at a desk, or in prison / hospital) with an identity
    document and the signed form, and records it: the mandate is in force, in the agent's
    name (audit log and mandate). Only an agent of a prefecture competent for the person."""
    locked = _lock(mandate)
    if (
        getattr(agent, "role", None) != Role.PREFECTURE_AGENT
        or not agent.is_active
        or agent.prefecture_id not in mandate_check_prefecture_ids(locked)
        or not locked.consent_file
    ):
        raise DomainError("not_yours", _("This mandate is not one your prefecture can check."))
    _check_pending(locked)
    identity_document = (identity_document or "").strip()
    if not identity_document:
        raise DomainError(
            "identity_document", _("Type the kind and number of the identity document you saw.")
        )
    locked.identity_document_checked = identity_document[:100]
    locked.save(update_fields=["identity_document_checked"])
    return _prove(
        locked,
        via=ConsentProof.AGENT_CHECK,
        by=agent,
        action="mandate_identity_checked",
        details={"agent": agent.pk, "prefecture": agent.prefecture_id},
    )


# --- The end ------------------------------------------------------------------------------------


def _end(locked: Mandate, *, by: User, action: str) -> Mandate:
    was_pending = locked.consented_at is None
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.confirmation_nonce_hash = ""
    locked.save(update_fields=["revoked_at", "revoked_by", "confirmation_nonce_hash"])
    generations.bump_person(locked.person_id, locked.helper_id)
    audit_action(
        instance=locked,
        actor=by,
        action=action,
        changes={"revoked_at": (None, locked.revoked_at)},
    )
    kind = MandateEventKind.REFUSED if was_pending else MandateEventKind.REVOKED
    mandate_notice(mandate=locked, kind=kind, actor=by)
    return locked


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, person: User) -> Mandate:
    """The person ends a mandate, at any time, with immediate effect (or refuses a request)."""
    locked = _lock(mandate)
    if locked.person_id != person.pk:
        raise DomainError("not_yours", _("This mandate is not yours."))
    if locked.revoked_at is not None:
        raise DomainError("already_revoked", _("This mandate is already revoked."))
    return _end(locked, by=person, action="mandate_revoke")


def mandate_first_use_record(mandate: Mandate) -> None:
    """The first time a helper uses a mandate, the person is told (once: the row is claimed by
    a conditional update, the notice by its unique constraint)."""
    if mandate.first_used_at is not None:
        return
    with transaction.atomic():
        now = timezone.now()
        claimed = Mandate.objects.filter(pk=mandate.pk, first_used_at__isnull=True).update(
            first_used_at=now
        )
        mandate.first_used_at = now
        if claimed:
            audit_action(instance=mandate, actor=None, action="mandate_first_used")
            mandate_notice(mandate=mandate, kind=MandateEventKind.FIRST_USED, actor=mandate.helper)


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
    claimed under a row lock and marked warned in the same transaction as its e-mail is written
    to the outbox: two workers never warn twice; the outbox retries a failed sending."""
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
                enqueue_email(
                    _warning_message(mandate),
                    idempotency_key=f"mandate-expiry-warning:{mandate.pk}",
                    language="fr",
                )
                mandate.expiry_warned_at = timezone.now()
                mandate.save(update_fields=["expiry_warned_at"])
                audit_action(instance=mandate, actor=None, action="mandate_expiry_warned")
                sent += 1
        except Exception:  # one failed mandate must not stop the others
            logger.exception("Mandate %s: expiry warning not written, retried next run", pk)
    return sent


def mandate_end_notices_send(today: date | None = None) -> int:
    """Tell the person, once, that a mandate has ended at its last day (revocations and
    refusals are told when they happen). Same claiming as the warnings above."""
    today = today or _today()
    due = Mandate.objects.filter(
        ends_on__lt=today, revoked_at__isnull=True, end_notified_at__isnull=True
    )
    told = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            mandate = (
                Mandate.objects.select_for_update(skip_locked=True)
                .select_related("helper", "person")
                .filter(pk=pk, end_notified_at__isnull=True, revoked_at__isnull=True)
                .first()
            )
            if mandate is None:
                continue
            mandate.end_notified_at = timezone.now()
            mandate.confirmation_nonce_hash = ""
            mandate.save(update_fields=["end_notified_at", "confirmation_nonce_hash"])
            audit_action(instance=mandate, actor=None, action="mandate_expired")
            mandate_notice(mandate=mandate, kind=MandateEventKind.EXPIRED, actor=None)
            told += 1
    return told


def mandate_notice_list(person: User, limit: int = 10):
    """The person's latest notices about their mandates, for their portal."""
    return (
        MandateEvent.objects.filter(mandate__person=person)
        .select_related("mandate__helper", "actor")
        .order_by("-created_at", "-pk")[:limit]
    )


@transaction.atomic
def mandate_notices_mark_seen(person: User) -> int:
    return MandateEvent.objects.filter(mandate__person=person, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )
