"""Staff must set up two-factor authentication before reaching their consoles (issue 8);
applicants and helpers are never asked for it."""

import pytest
from django.urls import reverse

from tests.accounts.factories import (
    PASSWORD,
    AdministratorFactory,
    ApplicantFactory,
    ContactCentreAgentFactory,
    HelperFactory,
    PrefectureAgentFactory,
)
from tests.conftest import fresh_cache_setting
from tests.security.second_factor import sign_in_with_second_factor, with_totp


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True
    settings.CACHES = fresh_cache_setting()  # used TOTP codes are remembered there


STAFF = {
    "agent": (PrefectureAgentFactory, "backoffice:home"),
    "contact_centre": (ContactCentreAgentFactory, "support_console:home"),
    "admin": (AdministratorFactory, "admin:index"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(STAFF))
def test_staff_without_second_factor_is_sent_to_set_it_up(client, reference_data, role):
    factory, console = STAFF[role]
    user = factory()
    signed_in = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    response = client.get(reverse(console))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The set-up page is open to them (allauth first asks for the password again).
    set_up = client.get(reverse("mfa_activate_totp"), follow=True)
    assert set_up.status_code == 200
    assert set_up.request["PATH_INFO"] in (
        reverse("mfa_activate_totp"),
        reverse("account_reauthenticate"),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(STAFF))
def test_staff_with_second_factor_reaches_the_console(client, reference_data, role):
    factory, console = STAFF[role]
    sign_in_with_second_factor(client, with_totp(factory()))
    assert client.get(reverse(console)).status_code == 200


@pytest.mark.django_db
def test_staff_without_second_factor_gets_a_clear_api_error(client, reference_data):
    client.force_login(PrefectureAgentFactory())
    response = client.get(reverse("api:agent-application-list"), headers={"accept-language": "en"})
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [ApplicantFactory, HelperFactory])
def test_applicants_and_helpers_are_never_asked_for_a_second_factor(client, factory):
    client.force_login(factory())
    response = client.get(reverse("portal:home"), follow=True)
    assert response.status_code == 200
    assert all("/2fa/" not in url for url, _status in response.redirect_chain)


@pytest.mark.django_db
def test_staff_may_still_sign_out_without_second_factor(client):
    client.force_login(PrefectureAgentFactory())
    assert client.get(reverse("account_logout")).status_code == 200
