"""E-mail, texts or both (issue 21): the person's choice, at sign-up and on /me/contact/, and
a mobile number proven by a one-time code before any text goes to it. Attacks: guessing the
code, probing whose number is whose, proving a number for another account, flooding a number.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import ContactChannels
from accounts.models import User
from accounts.services import (
    PHONE_CODES_PER_ACCOUNT_PER_DAY,
    contact_preferences_set,
    phone_code_send,
    phone_verify,
)
from anef.errors import DomainError
from anef.one_time_codes import MAX_ATTEMPTS, MAX_CODES_PER_HOUR
from tests.accounts.factories import PASSWORD, ApplicantFactory, HelperFactory

pytestmark = pytest.mark.django_db
NUMBER = "+33612345678"
EN = {"headers": {"accept-language": "en"}}


def _code(sms_outbox) -> str:
    return re.search(r"\b(\d{6})\b", sms_outbox[-1].body).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _with_number(number="06 12 34 56 78", channels=ContactChannels.SMS):
    return contact_preferences_set(user=ApplicantFactory(), channels=channels, phone_number=number)


def _send(user, capture):
    with capture(execute=True):
        phone_code_send(user=user)


# --- Services -----------------------------------------------------------------------------------


def test_contact_preferences_set_normalises_number_and_leaves_it_unproven():
    user = _with_number()
    assert (user.phone_number, user.phone_verified_at, user.sms_number) == (NUMBER, None, "")


def test_phone_verify_right_code_proves_number_and_texts_go_there(
    sms_outbox, django_capture_on_commit_callbacks
):
    user = _with_number()
    _send(user, django_capture_on_commit_callbacks)
    assert sms_outbox[-1].recipients == [NUMBER]
    phone_verify(user=user, code=_code(sms_outbox))
    assert User.objects.get(pk=user.pk).sms_number == NUMBER


def test_contact_preferences_new_number_must_be_proven_again(
    sms_outbox, django_capture_on_commit_callbacks
):
    user = _with_number()
    _send(user, django_capture_on_commit_callbacks)
    phone_verify(user=user, code=_code(sms_outbox))
    user = contact_preferences_set(
        user=user, channels=ContactChannels.SMS, phone_number="07 81 23 45 67"
    )
    assert (user.phone_verified_at, user.sms_number) == (None, "")


def test_contact_preferences_sms_without_number_refused():
    with pytest.raises(DomainError) as error:
        contact_preferences_set(
            user=ApplicantFactory(), channels=ContactChannels.SMS, phone_number=""
        )
    assert error.value.code == "phone_required"


# --- Attacks ------------------------------------------------------------------------------------


def test_attack_code_guessing_closed_after_max_attempts(
    sms_outbox, django_capture_on_commit_callbacks
):
    user = _with_number()
    _send(user, django_capture_on_commit_callbacks)
    code = _code(sms_outbox)
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(DomainError):
            phone_verify(user=user, code=_wrong(code))
    with pytest.raises(DomainError):
        phone_verify(user=user, code=code)  # even the right one, now
    assert User.objects.get(pk=user.pk).phone_verified_at is None


def test_attack_code_sent_for_one_account_proves_nothing_for_another(
    sms_outbox, django_capture_on_commit_callbacks
):
    """The owner of the phone asks for a code on their account; someone who gave the same
    number on theirs cannot use it (the code is bound to the account)."""
    owner = _with_number()
    _send(owner, django_capture_on_commit_callbacks)
    intruder = _with_number()
    with pytest.raises(DomainError):
        phone_verify(user=intruder, code=_code(sms_outbox))
    assert User.objects.get(pk=intruder.pk).phone_verified_at is None


def test_attack_number_enumeration_same_answer_for_number_used_elsewhere(client):
    """Giving a number another account has proven is accepted like any other: nothing tells
    whether someone uses it."""
    taken = _with_number()
    taken.phone_verified_at = timezone.now()
    taken.save()
    answers = []
    for number in ("06 12 34 56 78", "06 99 99 99 99"):
        user = ApplicantFactory()
        client.force_login(user)
        response = client.post(
            reverse("accounts:contact"),
            {"contact_channels": ContactChannels.SMS, "phone_number": number},
            **EN,
        )
        answers.append((response.status_code, response.url))
    assert answers[0] == answers[1] == (302, reverse("accounts:phone_verify"))


def test_attack_number_flooded_from_many_accounts_limited_per_hour(
    sms_outbox, django_capture_on_commit_callbacks
):
    for _ in range(MAX_CODES_PER_HOUR):
        _send(_with_number(), django_capture_on_commit_callbacks)
    with pytest.raises(DomainError) as error:
        _send(_with_number(), django_capture_on_commit_callbacks)
    assert error.value.code == "too_many_codes"
    assert len(sms_outbox) == MAX_CODES_PER_HOUR


def test_attack_one_account_texting_many_numbers_limited_per_day(
    sms_outbox, django_capture_on_commit_callbacks
):
    user = ApplicantFactory()
    for index in range(PHONE_CODES_PER_ACCOUNT_PER_DAY):
        user = contact_preferences_set(
            user=user, channels=ContactChannels.SMS, phone_number=f"06 00 00 00 {index:02d}"
        )
        _send(user, django_capture_on_commit_callbacks)
    user = contact_preferences_set(
        user=user, channels=ContactChannels.SMS, phone_number="06 00 00 00 99"
    )
    with pytest.raises(DomainError) as error:
        _send(user, django_capture_on_commit_callbacks)
    assert error.value.code == "too_many_codes"


# --- Pages --------------------------------------------------------------------------------------


def test_view_contact_choose_sms_then_type_code_proves_number(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    user = ApplicantFactory()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:contact"),
            {"contact_channels": ContactChannels.BOTH, "phone_number": "06 12 34 56 78"},
            **EN,
        )
    assert response.url == reverse("accounts:phone_verify")
    page = client.get(response.url, **EN)
    assert "+33 •••••• 78" in page.content.decode()
    response = client.post(reverse("accounts:phone_verify"), {"code": _code(sms_outbox)}, **EN)
    assert response.url == reverse("accounts:contact")
    assert User.objects.get(pk=user.pk).sms_number == NUMBER


def test_view_contact_wrong_code_shown_on_the_form(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    user = _with_number()
    _send(user, django_capture_on_commit_callbacks)
    client.force_login(user)
    response = client.post(
        reverse("accounts:phone_verify"), {"code": _wrong(_code(sms_outbox))}, **EN
    )
    assert response.status_code == 200
    assert "not the right one" in response.content.decode()


def test_view_contact_landline_refused_on_the_form(client):
    client.force_login(ApplicantFactory())
    response = client.post(
        reverse("accounts:contact"),
        {"contact_channels": ContactChannels.SMS, "phone_number": "01 23 45 67 89"},
        **EN,
    )
    assert response.status_code == 200
    assert "Enter a mobile phone number" in response.content.decode()


def test_view_contact_helper_refused(client):
    client.force_login(HelperFactory())
    assert client.get(reverse("accounts:contact")).status_code == 403


def test_view_signup_with_sms_records_number_unproven_and_sends_nothing(
    client, reference_data, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "amina@anef.example",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "first_name": "Amina",
                "last_name": "Diallo",
                "birth_date": "1990-01-02",
                "nationality": "Malienne",
                "address_line": "8 rue Gabriel Péri",
                "postal_code": "93100",
                "city": "Montreuil",
                "contact_channels": ContactChannels.SMS,
                "phone_number": "+33 6 12 34 56 78",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="amina@anef.example")
    assert (user.contact_channels, user.phone_number) == (ContactChannels.SMS, NUMBER)
    assert user.phone_verified_at is None
    assert sms_outbox == []


def test_view_signup_without_a_choice_stays_email(client, reference_data):
    client.post(
        reverse("account_signup"),
        {
            "email": "karim@anef.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "first_name": "Karim",
            "last_name": "Haddad",
            "birth_date": "1990-01-02",
            "nationality": "Tunisienne",
            "address_line": "1 rue de la Paix",
            "postal_code": "75002",
            "city": "Paris",
        },
    )
    user = User.objects.get(email="karim@anef.example")
    assert (user.contact_channels, user.phone_number) == (ContactChannels.EMAIL, "")


# --- The person's space says when the number awaits its code (walked 2026-12-04) ---------------


def test_view_portal_home_sms_chosen_number_unproven_shows_the_banner(client):
    user = _with_number()
    client.force_login(user)
    page = client.get(reverse("portal:home"), **EN).content.decode()
    assert 'id="phone-proof"' in page
    assert "+33 •••••• 78" in page


@pytest.mark.parametrize("channels", [ContactChannels.EMAIL, ContactChannels.BOTH])
def test_view_portal_home_no_banner_for_email_only_or_a_proven_number(
    client, channels, sms_outbox, django_capture_on_commit_callbacks
):
    user = _with_number(channels=channels)
    if channels != ContactChannels.EMAIL:
        _send(user, django_capture_on_commit_callbacks)
        phone_verify(user=user, code=_code(sms_outbox))
    client.force_login(user)
    assert 'id="phone-proof"' not in client.get(reverse("portal:home"), **EN).content.decode()


def test_view_portal_home_banner_button_sends_the_code(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    client.force_login(_with_number())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:phone_verify"), {"resend": "1"}, **EN)
    assert response.url == reverse("accounts:phone_verify")
    assert sms_outbox[-1].recipients == [NUMBER]


@pytest.mark.django_db(transaction=True)
def test_view_portal_home_kept_page_drops_the_banner_once_the_number_is_proven(sms_outbox):
    from tests.page_cache_helpers import client_of, hit

    user = _with_number()
    client = client_of(user)
    hit(client)
    page, kept = hit(client)
    assert kept and 'id="phone-proof"' in page.content.decode()
    phone_code_send(user=user)
    phone_verify(user=User.objects.get(pk=user.pk), code=_code(sms_outbox))
    page, kept = hit(client)
    assert not kept and 'id="phone-proof"' not in page.content.decode()
