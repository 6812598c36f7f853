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


# --- The client behind a proxy (anef/client_ip.py) -----------------------------------------------
# With a trusted proxy, two people behind it each get their own limit; without one, a client that
# writes X-Forwarded-For (or rotates its IPv6 address within its /64) stays within its own.

PROXY = "10.0.0.5"
CONTACT = "/contact/"


def via_proxy(client_addr: str) -> dict:
    """A request our proxy forwards for `client_addr`: the proxy is the peer."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_addr}


def forged(client_addr: str, claimed: str) -> dict:
    """A request straight from `client_addr` claiming to be forwarded for `claimed`."""
    return {"REMOTE_ADDR": client_addr, "HTTP_X_FORWARDED_FOR": claimed}


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def _contact(client, index: int, **meta) -> int:
    from tests.support.factories import contact_form_data

    data = contact_form_data(email=f"person{index}@example.org")
    return client.post(CONTACT, data, **meta).status_code


def _sixth_contact_statuses(client, meta_of) -> list[int]:
    """The default limit is 5 messages an hour per client: six messages, the i-th sent with
    the request META `meta_of(i)`."""
    return [_contact(client, index, **meta_of(index)) for index in range(6)]


@pytest.mark.django_db
def test_contact_limit_behind_proxy_six_people_are_not_refused(client, behind_proxy):
    """The finding of issue 17: the 6th message of the hour from the proxy's address was
    refused (« Attendez une heure ») although six different people wrote."""
    statuses = _sixth_contact_statuses(client, lambda i: via_proxy(f"198.51.100.{i + 1}"))
    assert statuses == [200] * 6


@pytest.mark.django_db
def test_contact_limit_behind_proxy_one_person_is_still_limited(client, behind_proxy):
    statuses = _sixth_contact_statuses(client, lambda i: via_proxy("198.51.100.1"))
    assert statuses == [200] * 5 + [429]


@pytest.mark.django_db
def test_contact_limit_without_proxy_forged_header_does_not_escape(client, settings):
    settings.TRUSTED_PROXIES = []
    statuses = _sixth_contact_statuses(
        client, lambda i: forged("203.0.113.7", f"198.51.100.{i + 1}")
    )
    assert statuses[-1] == 429


@pytest.mark.django_db
def test_contact_limit_around_the_proxy_forged_header_does_not_escape(client, behind_proxy):
    """A client reaching the web server directly, not through our proxy."""
    statuses = _sixth_contact_statuses(
        client, lambda i: forged("203.0.113.7", f"198.51.100.{i + 1}")
    )
    assert statuses[-1] == 429


@pytest.mark.django_db
def test_contact_limit_ipv6_new_address_in_the_same_64_does_not_escape(client, settings):
    settings.TRUSTED_PROXIES = []
    statuses = _sixth_contact_statuses(client, lambda i: {"REMOTE_ADDR": f"2001:db8:1:2::{i + 1}"})
    assert statuses[-1] == 429


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


VERIFY_LIMITS = {
    # scope, method, route: the verification page, typing a share code, the JSON API.
    "verify_page": ("get", lambda: reverse("verify", args=["AAAA-BBBB-CCCC"])),
    "share_code": ("post", lambda: reverse("verify_share_enter")),
    "verify": ("get", lambda: reverse("api:verify", args=["AAAA-BBBB-CCCC"])),
}


def _verify(client, scope: str, **meta) -> int:
    method, path = VERIFY_LIMITS[scope]
    data = {"code": "ABCD-EFGH"} if method == "post" else None
    return getattr(client, method)(path(), data, **meta).status_code


@pytest.mark.django_db
@pytest.mark.parametrize("scope", list(VERIFY_LIMITS))
def test_verify_limit_behind_proxy_each_person_has_their_own(client, behind_proxy, settings, scope):
    _rates(settings, **{scope: "1/min"})
    assert _verify(client, scope, **via_proxy("198.51.100.1")) != 429
    assert _verify(client, scope, **via_proxy("198.51.100.2")) != 429
    assert _verify(client, scope, **via_proxy("198.51.100.1")) == 429


@pytest.mark.django_db
@pytest.mark.parametrize("scope", list(VERIFY_LIMITS))
def test_verify_limit_without_proxy_forged_header_does_not_escape(client, settings, scope):
    settings.TRUSTED_PROXIES = []
    _rates(settings, **{scope: "1/min"})
    assert _verify(client, scope, **forged("203.0.113.7", "198.51.100.1")) != 429
    assert _verify(client, scope, **forged("203.0.113.7", "198.51.100.2")) == 429


@pytest.mark.django_db
@pytest.mark.parametrize("scope", list(VERIFY_LIMITS))
def test_verify_limit_ipv6_new_address_in_the_same_64_does_not_escape(client, settings, scope):
    settings.TRUSTED_PROXIES = []
    _rates(settings, **{scope: "1/min"})
    assert _verify(client, scope, REMOTE_ADDR="2001:db8:1:2::1") != 429
    assert _verify(client, scope, REMOTE_ADDR="2001:db8:1:2::2") == 429


def _signups(client, count: int, meta_of) -> list[int]:
    url = reverse("account_signup")
    return [client.post(url, {}, **EN, **meta_of(index)).status_code for index in range(count)]


@pytest.mark.django_db
def test_signup_limit_behind_proxy_each_person_has_their_own(client, behind_proxy):
    """allauth's limits (20 sign-up attempts a minute per address) count the client we count."""
    assert 429 not in _signups(client, 20, lambda i: via_proxy("198.51.100.1"))
    assert _signups(client, 1, lambda i: via_proxy("198.51.100.2")) == [200]
    assert _signups(client, 1, lambda i: via_proxy("198.51.100.1")) == [429]


@pytest.mark.django_db
def test_signup_limit_around_the_proxy_forged_header_does_not_escape(client, behind_proxy):
    statuses = _signups(client, 21, lambda i: forged("203.0.113.7", f"198.51.100.{i + 1}"))
    assert statuses[-1] == 429
