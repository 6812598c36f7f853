"""Public account endpoints are rate-limited (allauth's limits, backed by the cache) and answer
429 with a page that says, in plain words, to wait and how to reach a person."""

import pytest
from django.urls import reverse

EN = {"headers": {"accept-language": "en"}}


@pytest.mark.django_db
def test_signup_over_the_limit_answers_429_in_plain_words(client):
    url = reverse("account_signup")
    statuses = [client.post(url, {}, **EN).status_code for _ in range(20)]
    assert 429 not in statuses
    response = client.post(url, {}, **EN)
    assert response.status_code == 429
    assert "Too many attempts in a short time" in response.content.decode()
    assert "a person can help you" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_for_one_address_over_the_limit_answers_429(client):
    url = reverse("account_reset_password")
    data = {"email": "someone@example.org"}
    statuses = [client.post(url, data, **EN).status_code for _ in range(5)]
    assert 429 not in statuses
    assert client.post(url, data, **EN).status_code == 429


@pytest.mark.django_db
def test_rate_limit_page_in_french_by_default(client):
    url = reverse("account_signup")
    for _ in range(20):
        client.post(url, {})
    response = client.post(url, {}, headers={"accept-language": "fr"})
    assert response.status_code == 429
    assert "Trop de tentatives en peu de temps" in response.content.decode()


@pytest.mark.django_db
def test_login_failures_lock_the_account_for_five_minutes_not_for_ever(client):
    """allauth's `login_failed` limit: after 5 wrong passwords for one account in 5 minutes,
    even the right password is refused with a message, then accepted once the 5 minutes have
    passed."""
    import datetime

    import time_machine

    from tests.accounts.factories import PASSWORD, ApplicantFactory

    user = ApplicantFactory()
    url = reverse("account_login")
    start = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            assert client.post(url, {"login": user.email, "password": "wrong"}).status_code == 200
        refused = client.post(url, {"login": user.email, "password": PASSWORD}, **EN)
        assert "Too many failed login attempts" in refused.content.decode()
        assert "_auth_user_id" not in client.session
    with time_machine.travel(start + datetime.timedelta(minutes=5, seconds=1), tick=False):
        signed_in = client.post(url, {"login": user.email, "password": PASSWORD})
        assert signed_in.status_code == 302
