import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.enums import Role
from accounts.services import user_create
from tests.accounts.factories import ApplicantProfileFactory, UserFactory
from tests.applications.factories import PrefectureFactory


@pytest.mark.django_db
def test_model_user_logs_in_with_email_and_has_no_username():
    user = UserFactory(email="Someone@Anef.Example")
    assert user.USERNAME_FIELD == "email"
    assert not hasattr(user, "username") or user.username is None


@pytest.mark.django_db
def test_model_user_email_is_stored_lowercase():
    user = user_create(email="Amina.D@Anef.Example", password="x", role=Role.APPLICANT)
    assert user.email == "amina.d@anef.example"


@pytest.mark.django_db
def test_model_prefecture_agent_without_prefecture_is_refused():
    with pytest.raises(ValidationError):
        user_create(email="agent@anef.example", password="x", role=Role.PREFECTURE_AGENT)


@pytest.mark.django_db
def test_model_prefecture_agent_without_prefecture_refused_by_database():
    user = UserFactory(role=Role.APPLICANT)
    user.role = Role.PREFECTURE_AGENT
    with pytest.raises(IntegrityError):
        user.save()


@pytest.mark.django_db
def test_model_non_agent_gets_no_prefecture_even_if_given():
    prefecture = PrefectureFactory()
    user = user_create(
        email="cc@anef.example",
        password="x",
        role=Role.CONTACT_CENTRE_AGENT,
        prefecture=prefecture,
    )
    assert user.prefecture is None


@pytest.mark.django_db
def test_model_only_administrators_get_admin_flags():
    admin = user_create(email="a@anef.example", password="x", role=Role.ADMINISTRATOR)
    helper = user_create(email="h@anef.example", password="x", role=Role.HELPER)
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert (helper.is_staff, helper.is_superuser) == (False, False)


@pytest.mark.django_db
def test_model_profile_without_foreigner_number_is_valid():
    profile = ApplicantProfileFactory(foreigner_number=None)
    profile.full_clean()
    assert profile.foreigner_number is None


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["123456789", "12345678901", "12345abcde"])
def test_model_profile_foreigner_number_must_have_ten_digits(number):
    profile = ApplicantProfileFactory.build(user=UserFactory(), foreigner_number=number)
    with pytest.raises(ValidationError):
        profile.full_clean()


@pytest.mark.django_db
def test_model_profile_foreigner_number_is_unique():
    ApplicantProfileFactory(foreigner_number="1234567890")
    with pytest.raises(IntegrityError):
        ApplicantProfileFactory(foreigner_number="1234567890")


@pytest.mark.django_db
def test_model_two_profiles_without_foreigner_number_coexist():
    ApplicantProfileFactory(foreigner_number=None)
    ApplicantProfileFactory(foreigner_number=None)
