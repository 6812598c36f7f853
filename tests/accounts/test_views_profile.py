"""Sign-up with identity, completing the profile, reading it and moving (DESIGN.md §7.4, §7.7)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import ApplicantProfile, User
from applications.enums import EventKind
from tests.accounts.factories import ApplicantFactory, ApplicantProfileFactory, HelperFactory
from tests.applications.factories import ApplicationFactory, ground

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _memory_cache(settings):
    """allauth rate-limits confirmation e-mails per address in the cache; the embedded default
    cache is a directory that outlives a test run, so each test gets an empty one."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-views-profile",
        }
    }
    cache.clear()


SIGNUP = {
    "email": "amina@example.org",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
    "first_name": "Amina",
    "last_name": "Diallo",
    "birth_date": "2004-05-17",
    "birth_place": "Conakry, Guinée",
    "nationality": "Guinéenne",
    "identity_document_reference": "R1234567",
    "foreigner_number": "",
    "address_line": "12 rue de Paris",
    "postal_code": "93200",
    "city": "Saint-Denis",
}


def test_views_portal_signup_page_uses_the_design_system(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert 'name="foreigner_number"' in response.text
    assert 'class="fr-input' in response.text


def test_views_portal_signup_without_foreigner_number(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # allauth's e-mail, via the outbox
        response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="amina@example.org")
    assert (user.first_name, user.last_name) == ("Amina", "Diallo")
    profile = user.applicant_profile
    assert profile.foreigner_number is None
    assert profile.postal_code == "93200"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["amina@example.org"]


def test_views_portal_signup_with_foreigner_number(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {**SIGNUP, "foreigner_number": "75 1234 5678"})
    profile = ApplicantProfile.objects.get(user__email="amina@example.org")
    assert profile.foreigner_number == "7512345678"
    assert len(mailoutbox) == 1


def test_views_portal_signup_with_a_foreigner_number_already_used(client, settings, mailoutbox):
    ApplicantProfileFactory(foreigner_number="7512345678")
    response = client.post(
        reverse("account_signup"),
        {**SIGNUP, "foreigner_number": "7512345678"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "If this is your number, contact us" in response.text
    assert settings.CONTACT_PHONE in response.text
    assert 'aria-describedby="id_foreigner_number-hint id_foreigner_number-errors"' in (
        response.text
    )
    assert not User.objects.filter(email="amina@example.org").exists()
    assert mailoutbox == []


def test_views_portal_signup_with_a_malformed_foreigner_number(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "foreigner_number": "12AB"})
    assert response.status_code == 200
    assert response.context["form"].errors["foreigner_number"]


def test_views_portal_profile_complete_for_an_account_without_profile(client, reference_data):
    user = ApplicantFactory()
    client.force_login(user)
    page = client.get(reverse("portal:profile"))
    assert page.status_code == 200
    assert 'name="birth_date"' in page.text
    response = client.post(
        reverse("portal:profile"),
        {
            "birth_date": "1990-01-02",
            "nationality": "Malienne",
            "address_line": "3 rue Oberkampf",
            "postal_code": "75011",
            "city": "Paris",
        },
    )
    assert response.status_code == 302
    assert ApplicantProfile.objects.get(user=user).foreigner_number is None


def test_views_portal_profile_shows_identity_and_no_foreigner_number(client, reference_data):
    profile = ApplicantProfileFactory(foreigner_number=None)
    client.force_login(profile.user)
    response = client.get(reverse("portal:profile"), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert profile.nationality in response.text
    assert "None yet. This is not a problem" in response.text


def test_views_portal_helper_cannot_create_a_profile_for_themselves(client):
    helper = HelperFactory()
    client.force_login(helper)
    response = client.get(reverse("portal:profile"))
    assert response.status_code == 302
    assert not ApplicantProfile.objects.filter(user=helper).exists()


def test_views_portal_address_change_moves_the_dossier_from_75_to_93(client, reference_data):
    profile = ApplicantProfileFactory(postal_code="75011", city="Paris")
    application = ApplicationFactory(
        applicant=profile.user, ground=ground("parent_of_french_child")
    )
    client.force_login(profile.user)
    response = client.post(
        reverse("portal:address_change"),
        {"address_line": "5 rue Gabriel Péri", "postal_code": "93200", "city": "Saint-Denis"},
        follow=True,
    )
    application.refresh_from_db()
    assert application.prefecture.departement_code == "93"
    assert application.reference in response.text
    assert "1 rue de Rivoli" in response.text  # the previous address is kept
    assert application.events.filter(kind=EventKind.TRANSFERRED).exists()


def test_views_portal_address_change_to_an_unknown_departement(client, reference_data):
    profile = ApplicantProfileFactory(postal_code="75011", address_line="3 rue Oberkampf")
    client.force_login(profile.user)
    response = client.post(
        reverse("portal:address_change"),
        {"address_line": "1 place du Capitole", "postal_code": "99999", "city": "Nowhere"},
    )
    assert response.status_code == 200
    assert response.context["address_form"].errors["postal_code"]
    profile.refresh_from_db()
    assert profile.postal_code == "75011"
