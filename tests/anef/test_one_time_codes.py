"""The one-time code service (anef.one_time_codes), attacks included: brute force past the
attempts, replay, an expired code, a code of another purpose or another address."""

import datetime
import re

import pytest
from django.utils import timezone

from anef import one_time_codes
from anef.enums import OneTimeCodeClosure
from anef.errors import DomainError
from anef.models import OneTimeCode
from anef.one_time_codes import one_time_code_send, one_time_code_verify

pytestmark = pytest.mark.django_db
PURPOSE = "substitution_case:S1"
ADDRESS = "person@example.org"


def _send(django_capture_on_commit_callbacks, mailoutbox, **kwargs) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        one_time_code_send(**({"purpose": PURPOSE, "destination": ADDRESS} | kwargs))
    return re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_one_time_code_send_mails_the_code_and_stores_no_clear_text(
    django_capture_on_commit_callbacks, mailoutbox
):
    code = _send(django_capture_on_commit_callbacks, mailoutbox)
    row = OneTimeCode.objects.get()
    assert mailoutbox[0].to == [ADDRESS]
    assert code not in str(row.__dict__)
    assert ADDRESS not in str(row.__dict__)
    assert row.expires_at - row.created_at == datetime.timedelta(minutes=15)


def test_one_time_code_verify_right_code_accepted_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    code = _send(django_capture_on_commit_callbacks, mailoutbox)
    one_time_code_verify(purpose=PURPOSE, destination=ADDRESS, code=code)
    assert OneTimeCode.objects.get().closed_reason == OneTimeCodeClosure.USED


def test_one_time_code_verify_address_case_and_spaces_ignored(
    django_capture_on_commit_callbacks, mailoutbox
):
    code = _send(django_capture_on_commit_callbacks, mailoutbox)
    one_time_code_verify(
        purpose=PURPOSE, destination=" Person@Example.ORG ", code=f"{code[:3]} {code[3:]}"
    )


def test_one_time_code_verify_replayed_code_refused(django_capture_on_commit_callbacks, mailoutbox):
    code = _send(django_capture_on_commit_callbacks, mailoutbox)
    one_time_code_verify(purpose=PURPOSE, destination=ADDRESS, code=code)
    with pytest.raises(DomainError) as error:
        one_time_code_verify(purpose=PURPOSE, destination=ADDRESS, code=code)
    assert error.value.code == "no_code"


def test_one_time_code_verify_brute_force_stops_after_attempts(
    django_capture_on_commit_callbacks, mailoutbox
):
    code = _send(django_capture_on_commit_callbacks, mailoutbox)
    guesses = [f"{n:06d}" for n in range(one_time_codes.MAX_ATTEMPTS + 1) if f"{n:06d}" != code]
    outcomes = []
    for guess in guesses[: one_time_codes.MAX_ATTEMPTS]:
        with pytest.raises(DomainError) as error:
            one_time_code_verify(purpose=PURPOSE, destination=ADDRESS, code=guess)
        outcomes.append(error.value.code)
    assert outcomes[:-1] == ["wrong"] * (one_time_codes.MAX_ATTEMPTS - 1)
    assert outcomes[-1] == "too_many_attempts"
    # The right code, once the attempts are spent, opens nothing.
    with pytest.raises(DomainError) as error:
        one_time_code_verify(purpose=PURPOSE, destination=ADDRESS, code=code)
    assert error.value.code == "no_code"


def test_one_time_code_verify_wrong_attempt_counted_even_if_caller_rolls_back(
    django_capture_on_commit_callbacks, mailoutbox
):
    """Called inside a transaction that would roll back the count, the service refuses to run."""
    from django.db import transaction

    code = _send(django_capture_on_commit_callbacks, mailoutbox)
    with pytest.raises(RuntimeError), transaction.atomic():
        one_time_code_verify(purpose=PURPOSE, destination=ADDRESS, code=_wrong(code))


def test_one_time_code_verify_expired_code_refused(django_capture_on_commit_callbacks, mailoutbox):
    code = _send(django_capture_on_commit_callbacks, mailoutbox)
    later = timezone.now() + datetime.timedelta(minutes=15, seconds=1)
    with pytest.raises(DomainError) as error:
        one_time_code_verify(purpose=PURPOSE, destination=ADDRESS, code=code, now=later)
    assert error.value.code == "expired"


def test_one_time_code_verify_other_purpose_refused(django_capture_on_commit_callbacks, mailoutbox):
    code = _send(django_capture_on_commit_callbacks, mailoutbox)
    with pytest.raises(DomainError):
        one_time_code_verify(purpose="substitution_case:S2", destination=ADDRESS, code=code)


def test_one_time_code_verify_other_destination_refused(
    django_capture_on_commit_callbacks, mailoutbox
):
    code = _send(django_capture_on_commit_callbacks, mailoutbox)
    with pytest.raises(DomainError):
        one_time_code_verify(purpose=PURPOSE, destination="attacker@example.org", code=code)


def test_one_time_code_send_new_code_replaces_previous(
    django_capture_on_commit_callbacks, mailoutbox
):
    first = _send(django_capture_on_commit_callbacks, mailoutbox)
    second = _send(django_capture_on_commit_callbacks, mailoutbox)
    if first == second:  # one chance in a million: the same digits, a new code all the same
        pytest.skip("same digits drawn twice")
    with pytest.raises(DomainError):
        one_time_code_verify(purpose=PURPOSE, destination=ADDRESS, code=first)
    one_time_code_verify(purpose=PURPOSE, destination=ADDRESS, code=second)


def test_one_time_code_send_limit_per_destination_per_hour(
    django_capture_on_commit_callbacks, mailoutbox
):
    for _ in range(one_time_codes.MAX_CODES_PER_HOUR):
        _send(django_capture_on_commit_callbacks, mailoutbox)
    with pytest.raises(DomainError) as error:
        one_time_code_send(purpose="another", destination=ADDRESS.upper())
    assert error.value.code == "too_many_codes"
    later = timezone.now() + datetime.timedelta(hours=1, seconds=1)
    one_time_code_send(purpose=PURPOSE, destination=ADDRESS, now=later)


def test_one_time_code_send_unknown_channel_refused():
    with pytest.raises(DomainError):
        one_time_code_send(purpose=PURPOSE, destination=ADDRESS, channel="pigeon")
