"""Writes on accounts. Role and prefecture are set here, consistently, and nowhere else."""

from datetime import date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from accounts.enums import ContactChannels, Role
from accounts.models import ApplicantProfile, User
from anef import generations
from anef.audit import audit_action
from anef.enums import OneTimeCodeChannel
from anef.errors import DomainError
from anef.languages import spoken_language
from anef.models import OneTimeCode
from anef.one_time_codes import one_time_code_send, one_time_code_verify
from anef.phone import phone_e164
from reference.models import Prefecture


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    prefecture: Prefecture | None = None,
    email_verified: bool = False,
    preferred_language: str = "fr",
) -> User:
    """Create an account with its role; administrators get the admin flags, nobody else does.

    `email_verified` records the address as confirmed in allauth (accounts created by staff or
    by the demo seed); people who sign up themselves confirm it by e-mail.
    """
    is_admin = role == Role.ADMINISTRATOR
    user = User.objects.create_user(
        email=email,
        password=password,
        role=role,
        first_name=first_name,
        last_name=last_name,
        prefecture=prefecture if role == Role.PREFECTURE_AGENT else None,
        is_staff=is_admin,
        is_superuser=is_admin,
        preferred_language=preferred_language,
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


@transaction.atomic
def applicant_profile_create(
    *,
    user: User,
    birth_date: date,
    nationality: str,
    address_line: str,
    postal_code: str,
    city: str,
    birth_place: str = "",
    foreigner_number: str | None = None,
    identity_document_reference: str = "",
) -> ApplicantProfile:
    profile = ApplicantProfile(
        user=user,
        birth_date=birth_date,
        birth_place=birth_place,
        nationality=nationality,
        foreigner_number=foreigner_number or None,
        identity_document_reference=identity_document_reference,
        address_line=address_line,
        postal_code=postal_code,
        city=city,
    )
    profile.full_clean(exclude=["user"])
    profile.save()
    generations.bump_person_everywhere(user.pk)
    return profile


def api_token_issue(*, user: User) -> Token:
    """A new API token for `user`, replacing the previous one (issue 15). The caller checks that
    the session passed its second factor (accounts/api/views.py); staff tokens expire
    (anef/api_auth.py). Audited without the key."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        audit_action(instance=user, actor=user, action="api_token_issued")
    return token


# --- How the person is contacted: e-mail, text messages or both (issue 21) ----------------------

# Codes one account may have sent to phone numbers in a day, whatever the numbers: one account
# cannot text many numbers (SMS pumping, probing whose number is whose). Each number has its own
# limit besides (anef.one_time_codes.MAX_CODES_PER_HOUR).
PHONE_CODES_PER_ACCOUNT_PER_DAY = 5


def phone_number_clean(raw: str) -> str:
    """The mobile number in E.164 form, or a DomainError in plain words."""
    number = phone_e164(raw)
    if number is None:
        raise DomainError(
            "phone_invalid",
            _(
                "Enter a mobile phone number, for example 06 12 34 56 78, or with its country "
                "code, for example +44 7911 123456."
            ),
        )
    return number


def _phone_purpose(user: User) -> str:
    # Bound to the account: a code sent for one account never proves a number for another.
    return f"phone:{user.pk}"


def preferred_language_set(*, user: User, language: str | None) -> bool:
    """The language the person reads: what texts and e-mails to them are written in
    (anef.languages). Set at sign-up from the page's language and each time they switch it;
    a language the portal does not speak is ignored. True if it changed."""
    code = spoken_language(language)
    if code is None or user.preferred_language == code:
        return False
    User.objects.filter(pk=user.pk).update(preferred_language=code)
    user.preferred_language = code
    return True


@transaction.atomic
def contact_preferences_set(*, user: User, channels: str, phone_number: str) -> User:
    """The person's choice of channels and mobile number. A new number is not proven yet: texts
    wait until it is (`phone_verify`); whether another account uses the same number is never
    said (a phone is often a family's)."""
    if channels not in ContactChannels.values:
        raise DomainError("contact_channels_invalid", _("Choose how we contact you."))
    number = phone_number_clean(phone_number) if phone_number.strip() else ""
    if channels != ContactChannels.EMAIL and not number:
        raise DomainError(
            "phone_required", _("Enter your mobile phone number to receive text messages.")
        )
    locked = User.objects.select_for_update().get(pk=user.pk)
    changes = {}
    if locked.contact_channels != channels:
        changes["contact_channels"] = (locked.contact_channels, channels)
        locked.contact_channels = channels
    if locked.phone_number != number:
        # The audit says that the number changed, not which it is.
        changes["phone_number"] = ("…" if locked.phone_number else "", "…" if number else "")
        locked.phone_number = number
        locked.phone_verified_at = None
    if changes:
        locked.save(update_fields=["contact_channels", "phone_number", "phone_verified_at"])
        audit_action(instance=locked, actor=user, action="contact_preferences", changes=changes)
        generations.bump_person(user.pk)  # their space says whether the number awaits its code
    return locked


def phone_code_send(*, user: User, now: datetime | None = None) -> OneTimeCode:
    """Send a code to the person's number, to prove it (after commit). Refused past the limits
    of the number or of the account."""
    now = now or timezone.now()
    if not user.phone_number:
        raise DomainError("phone_required", _("Enter your mobile phone number first."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one request at a time
        sent_today = OneTimeCode.objects.filter(
            purpose=_phone_purpose(user), created_at__gt=now - timedelta(days=1)
        ).count()
        if sent_today >= PHONE_CODES_PER_ACCOUNT_PER_DAY:
            raise DomainError(
                "too_many_codes",
                _("Too many codes were sent from this account today. Try again tomorrow."),
            )
        return one_time_code_send(
            purpose=_phone_purpose(user),
            destination=user.phone_number,
            channel=OneTimeCodeChannel.SMS,
            now=now,
        )


def phone_verify(*, user: User, code: str, now: datetime | None = None) -> User:
    """Check the code sent to the person's number; the number is then proven and texts may go
    to it. Wrong codes are counted for good (anef.one_time_codes)."""
    now = now or timezone.now()
    if not user.phone_number:
        raise DomainError("phone_required", _("Enter your mobile phone number first."))
    number = user.phone_number
    one_time_code_verify(
        purpose=_phone_purpose(user),
        destination=number,
        code=code,
        channel=OneTimeCodeChannel.SMS,
        now=now,
    )
    with transaction.atomic():
        # Only the number the code was sent to: changed meanwhile, it stays unproven.
        updated = User.objects.filter(pk=user.pk, phone_number=number).update(phone_verified_at=now)
        if updated:
            audit_action(instance=user, actor=user, action="phone_verified")
            generations.bump_person(user.pk)
    user.refresh_from_db(fields=["phone_number", "phone_verified_at"])
    return user
