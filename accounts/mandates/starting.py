"""Starting a mandate: given by the person from their account (in force at once), asked for by a
helper, or recorded by a helper with the scan of a form the person signed (both pending until
the person consents, `consent`, or an agent checks their identity, `identity_check`). Never
tells the helper whether an address has an account.
"""

from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import ConsentMethod, ConsentProof, MandateEventKind, Role
from accounts.mandate_notices import mandate_notice, send_not_a_person
from accounts.mandates.consent import _ask_the_person
from accounts.mandates.queries import _today
from accounts.mandates.rules import mandate_end
from accounts.models import Mandate, User
from anef import generations, uploads
from anef.audit import audit_action
from anef.errors import DomainError
from anef.transactions import atomic_with_files, file_written
from reference.models import Ground


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
