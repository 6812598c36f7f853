"""Every sign-in goes through one door (issue 15): attacks on the admin login, the staff
two-factor flag and the API. Each test failed before the fix."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.enums import Role
from anef.second_factor import SESSION_KEY
from reference.models import Prefecture
from tests.accounts.factories import (
    PASSWORD,
    AdministratorFactory,
    ApplicantFactory,
    PrefectureAgentFactory,
)
from tests.conftest import fresh_cache_setting
from tests.security.second_factor import current_code, sign_in_with_second_factor, with_totp


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True
    settings.CACHES = fresh_cache_setting()  # allauth's rate limits and used TOTP codes


# --- /admin/login/ ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_login_page_sends_to_the_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2Faccounts%2Fuser%2F"


@pytest.mark.django_db
def test_admin_login_with_password_alone_does_not_open_the_admin_of_a_totp_account(client):
    admin = with_totp(AdministratorFactory())
    client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_login_never_checks_passwords_so_guessing_there_is_useless(client):
    admin = with_totp(AdministratorFactory())
    for _attempt in range(25):
        response = client.post("/admin/login/", {"username": admin.email, "password": "wrong"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    # The one door counts failures: allauth locks the account out after a few.
    for _attempt in range(10):
        client.post(reverse("account_login"), {"login": admin.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": admin.email, "password": PASSWORD})
    assert response.status_code == 200  # the form again, with the lockout message
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_with_totp_signed_in_without_the_code_is_asked_for_it(client):
    admin = with_totp(AdministratorFactory())
    client.force_login(admin)  # what the old admin login form did: password only
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


@pytest.mark.django_db
def test_admin_signed_in_with_the_code_reaches_the_admin(client):
    admin = with_totp(AdministratorFactory())
    sign_in_with_second_factor(client, admin)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_admin_cannot_mint_api_tokens_for_others(client):
    admin = with_totp(AdministratorFactory())
    sign_in_with_second_factor(client, admin)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404


# --- The session flag ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_applicant_promoted_to_agent_while_signed_in_must_do_the_second_factor(
    client, reference_data
):
    user = ApplicantFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.get(reverse("portal:home")).status_code == 200
    user.role = Role.PREFECTURE_AGENT
    user.prefecture = Prefecture.objects.first()
    user.save()
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_staff_role_change_asks_for_the_second_factor_again(client, reference_data):
    agent = with_totp(PrefectureAgentFactory())
    sign_in_with_second_factor(client, agent)
    assert client.get(reverse("backoffice:home")).status_code == 200
    agent.role = Role.CONTACT_CENTRE_AGENT
    agent.prefecture = None
    agent.save()
    response = client.get(reverse("support_console:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


@pytest.mark.django_db
def test_second_factor_flag_is_set_by_reauthenticating_with_the_code(client, reference_data):
    agent = with_totp(PrefectureAgentFactory())
    client.force_login(agent)
    assert client.get(reverse("backoffice:home")).status_code == 302
    client.post(reverse("mfa_reauthenticate"), {"code": current_code()})
    assert client.session[SESSION_KEY] == {"user": str(agent.pk), "role": agent.role}
    assert client.get(reverse("backoffice:home")).status_code == 200


# --- The API ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_agent_token_without_second_factor_is_refused(client, reference_data):
    token = Token.objects.create(user=PrefectureAgentFactory())
    response = client.get(
        reverse("api:agent-application-list"), headers={"authorization": f"Token {token.key}"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


@pytest.mark.django_db
def test_api_agent_session_without_the_code_is_refused(client, reference_data):
    agent = with_totp(PrefectureAgentFactory())
    client.force_login(agent)  # password only
    response = client.get(reverse("api:agent-application-list"))
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


@pytest.mark.django_db
def test_api_staff_token_expires(client, reference_data, settings):
    agent = with_totp(PrefectureAgentFactory())
    token = Token.objects.create(user=agent)
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - timedelta(seconds=settings.STAFF_API_TOKEN_TTL_SECONDS + 1)
    )
    response = client.get(
        reverse("api:agent-application-list"), headers={"authorization": f"Token {token.key}"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


@pytest.mark.django_db
def test_api_applicant_token_does_not_expire(client, settings):
    token = Token.objects.create(user=ApplicantFactory())
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - timedelta(seconds=settings.STAFF_API_TOKEN_TTL_SECONDS + 1)
    )
    response = client.get(reverse("api:me"), headers={"authorization": f"Token {token.key}"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_api_token_issued_to_a_staff_session_that_passed_the_code(client, reference_data):
    agent = with_totp(PrefectureAgentFactory())
    sign_in_with_second_factor(client, agent)
    response = client.post(reverse("api:token-issue"))
    assert response.status_code == 201
    body = response.json()
    assert body["expires_at"] is not None
    listing = client.get(
        reverse("api:agent-application-list"), headers={"authorization": f"Token {body['token']}"}
    )
    assert listing.status_code == 200


@pytest.mark.django_db
def test_api_token_refused_to_a_staff_session_without_the_code(client, reference_data):
    client.force_login(with_totp(PrefectureAgentFactory()))
    response = client.post(reverse("api:token-issue"))
    assert response.status_code == 403
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_api_token_never_mints_another_token(client):
    token = Token.objects.create(user=ApplicantFactory())
    response = client.post(
        reverse("api:token-issue"), headers={"authorization": f"Token {token.key}"}
    )
    assert response.status_code == 401
    assert list(Token.objects.values_list("key", flat=True)) == [token.key]
