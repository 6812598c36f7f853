"""A booking managed without an account with a code sent to the case's e-mail or phone (issue
21), and the attacks on that door: enumerating references, brute-forcing the code, a code used
on another case, flooding one number."""

import re

import pytest
from django.urls import reverse

from anef.enums import OneTimeCodeChannel
from anef.models import OneTimeCode
from substitution.enums import CaseOrigin
from substitution.models import SubstitutionCase

pytestmark = pytest.mark.django_db
EMAIL = "blocked@anef.example"
PHONE = "06 12 34 56 78"
MANAGE = "substitution_public:manage"
CODE = "substitution_public:manage_code"


def _case(**fields):
    values = {
        "origin": CaseOrigin.CONTACT_CENTRE,
        "contact_email": EMAIL,
        "contact_phone": PHONE,
        **fields,
    }
    return SubstitutionCase.objects.create(**values)


def _ask(client, reference, contact, capture):
    with capture(execute=True):
        return client.post(reverse(MANAGE), {"reference": reference, "contact": contact})


def _code_from(mailoutbox) -> str:
    return re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)


def _page(response) -> str:
    """The page without its per-request CSRF token and nonces."""
    return re.sub(r'(value|nonce)="[^"]*"', "", response.content.decode())


def _type(client, code):
    return client.post(reverse(CODE), {"code": code})


def test_manage_code_by_email_opens_the_case(
    client, reference_data, mailoutbox, django_capture_on_commit_callbacks
):
    case = _case()
    _ask(client, case.reference, EMAIL.upper(), django_capture_on_commit_callbacks)
    response = _type(client, _code_from(mailoutbox))
    assert response.status_code == 302
    assert response.url == reverse("substitution_public:case", kwargs={"token": case.access_token})


def test_manage_code_by_phone_sends_a_text_code(
    client, reference_data, django_capture_on_commit_callbacks
):
    case = _case()
    _ask(client, case.reference, "+33612345678", django_capture_on_commit_callbacks)
    assert OneTimeCode.objects.get().channel == OneTimeCodeChannel.SMS


def test_manage_code_unknown_reference_same_answer_and_nothing_sent(
    client, reference_data, mailoutbox, django_capture_on_commit_callbacks
):
    """Enumeration: a real pair, a real reference with another address and an invented
    reference get the same redirect and the same message; only the real pair gets a code."""
    case = _case()
    answers = []
    for reference, contact in (
        (case.reference, EMAIL),
        (case.reference, "other@anef.example"),
        ("S0000000000", EMAIL),
    ):
        client.cookies.clear()
        response = _ask(client, reference, contact, django_capture_on_commit_callbacks)
        followed = client.get(response.url, headers={"accept-language": "en"})
        answers.append((response.status_code, response.url, _page(followed)))
    assert answers[0] == answers[1] == answers[2]
    assert len(mailoutbox) == 1
    assert OneTimeCode.objects.count() == 1


def test_manage_code_brute_force_closes_the_code_after_five_wrong(
    client, reference_data, mailoutbox, django_capture_on_commit_callbacks
):
    case = _case()
    _ask(client, case.reference, EMAIL, django_capture_on_commit_callbacks)
    right = _code_from(mailoutbox)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert _type(client, wrong).status_code == 400
    response = _type(client, right)
    assert response.status_code == 400
    assert case.access_token not in response.get("Location", "")


def test_manage_code_refusals_read_the_same(
    client, reference_data, mailoutbox, django_capture_on_commit_callbacks
):
    """A wrong code on a real case and any code on a pair that matches nothing: one message."""
    case = _case()
    en = {"accept-language": "en"}
    _ask(client, case.reference, EMAIL, django_capture_on_commit_callbacks)
    wrong = f"{(int(_code_from(mailoutbox)) + 1) % 1_000_000:06d}"
    real = _page(client.post(reverse(CODE), {"code": wrong}, headers=en))
    client.cookies.clear()
    _ask(client, "S0000000000", EMAIL, django_capture_on_commit_callbacks)
    invented = _page(client.post(reverse(CODE), {"code": wrong}, headers=en))
    assert "This code is not right or has expired" in real
    assert real == invented


def test_manage_code_of_one_case_does_not_open_another(
    client, reference_data, mailoutbox, django_capture_on_commit_callbacks
):
    first, second = _case(), _case()
    _ask(client, first.reference, EMAIL, django_capture_on_commit_callbacks)
    code = _code_from(mailoutbox)
    client.session.save()
    session = client.session
    session["substitution_manage"] = {"reference": second.reference, "contact": EMAIL}
    session.save()
    response = _type(client, code)
    assert response.status_code == 400
    assert second.access_token not in response.get("Location", "")


def test_manage_code_limited_per_number_per_hour(
    client, reference_data, mailoutbox, django_capture_on_commit_callbacks
):
    """Three codes an hour to one address, whatever the case; the fourth is not sent (and the
    answer does not say so)."""
    cases = [_case() for _ in range(4)]
    for case in cases:
        response = _ask(client, case.reference, EMAIL, django_capture_on_commit_callbacks)
        assert response.status_code == 302
    assert len(mailoutbox) == 3


def test_manage_code_case_with_an_account_not_opened_this_way(
    client, reference_data, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.accounts.factories import ApplicantFactory

    case = _case(person=ApplicantFactory())
    _ask(client, case.reference, EMAIL, django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_manage_code_page_without_a_request_goes_back(client, reference_data):
    response = client.get(reverse(CODE))
    assert response.status_code == 302
    assert response.url == reverse(MANAGE)
