"""Writes on accounts. Role and prefecture are set here, consistently, and nowhere else."""

from datetime import date

from allauth.account.models import EmailAddress
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.enums import Role
from accounts.models import ApplicantProfile, User
from anef import generations
from anef.audit import audit_action
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
