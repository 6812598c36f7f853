"""Reads on accounts."""

from accounts.models import ApplicantProfile, User


def applicant_profile_get(*, user: User) -> ApplicantProfile | None:
    return ApplicantProfile.objects.filter(user=user).first()
