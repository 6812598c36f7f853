"""The language a person reads follows the portal's language (walked 2026-12-04: a person who
signed up and used the portal in Arabic received her texts in French, since nothing ever set
`preferred_language`, which anef.languages reads for texts and e-mails)."""

import pytest
from django.urls import reverse

from accounts.enums import ContactChannels
from accounts.models import User
from anef.languages import person_language
from tests.accounts.factories import PASSWORD, ApplicantFactory

pytestmark = pytest.mark.django_db


def _signup(client, language: str) -> User:
    client.post(
        reverse("account_signup"),
        {
            "email": "mariama@anef.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "first_name": "Mariama",
            "last_name": "Bah",
            "birth_date": "1990-03-14",
            "nationality": "Guinéenne",
            "address_line": "12 rue de Paris",
            "postal_code": "93200",
            "city": "Saint-Denis",
            "contact_channels": ContactChannels.SMS,
            "phone_number": "06 12 34 56 78",
        },
        headers={"accept-language": language},
    )
    return User.objects.get(email="mariama@anef.example")


@pytest.mark.parametrize("language", ["ar", "en", "fr"])
def test_signup_records_the_language_of_the_page(client, reference_data, language):
    assert person_language(_signup(client, language)) == language


def test_language_switch_signed_in_records_the_persons_language(client):
    person = ApplicantFactory(preferred_language="fr")
    client.force_login(person)
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/portal/"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.preferred_language == "ar"


def test_language_switch_unknown_language_changes_nothing(client):
    person = ApplicantFactory(preferred_language="en")
    client.force_login(person)
    client.post(reverse("set_language"), {"language": "xx", "next": "/portal/"})
    person.refresh_from_db()
    assert person.preferred_language == "en"


def test_language_switch_signed_out_still_switches_the_page(client):
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ar"


def test_signed_in_message_names_the_person_without_their_address(client):
    person = ApplicantFactory(first_name="Mariama", last_name="Bah")
    response = client.post(
        reverse("account_login"),
        {"login": person.email, "password": PASSWORD},
        headers={"accept-language": "en"},
        follow=True,
    )
    text = response.content.decode()
    assert "Mariama Bah" in text
    assert f"&lt;{person.email}&gt;" not in text and f"<{person.email}>" not in text
