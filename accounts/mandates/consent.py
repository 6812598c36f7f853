"""Consent to a mandate a helper started (issue 15): the person is asked — through a single-use
link, only to an address they verified — and the pending mandate comes into force when they
confirm it from their account or through the link (or they refuse it through the same link).
The identity check by a prefecture agent, the third proof, is in `identity_check`.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import ConsentProof, MandateEventKind, Role
from accounts.mandate_notices import mandate_notice
from accounts.mandates.ending import _end
from accounts.mandates.queries import _lock, _today
from accounts.models import Mandate, User
from anef import generations
from anef.audit import audit_action
from anef.errors import DomainError


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
