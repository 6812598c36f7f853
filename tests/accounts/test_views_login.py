"""Signing in with allauth sends each role to its own console; consoles refuse other roles."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.accounts.factories import (
    PASSWORD,
    AdministratorFactory,
    ApplicantFactory,
    ContactCentreAgentFactory,
    HelperFactory,
    PrefectureAgentFactory,
)

FACTORIES = {
    "anonymous": None,
    "applicant": ApplicantFactory,
    "helper": HelperFactory,
    "prefecture_agent": PrefectureAgentFactory,
    "contact_centre_agent": ContactCentreAgentFactory,
    "administrator": AdministratorFactory,
}

LANDING = {
    "applicant": "/portal/",
    "helper": "/portal/mandates/helping/",
    "prefecture_agent": "/agents/",
    "contact_centre_agent": "/support/",
    "administrator": "/admin/",
}

# (url, role) → expected status; "login" means a redirect to the sign-in page.
CONSOLE_ACCESS = {
    # A helper's portal is the space of the person they chose to act for: first, the list.
    "/portal/": {"applicant": 200, "helper": 302},
    "/portal/mandates/helping/": {"helper": 200},
    "/agents/": {"prefecture_agent": 200},
    "/support/": {"contact_centre_agent": 200},
    "/admin/": {"administrator": 200},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", LANDING)
def test_views_login_each_role_lands_on_its_console(client, role):
    user = FACTORIES[role]()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == LANDING[role]
    assert response.status_code == 200


@pytest.mark.django_db
def test_views_login_wrong_password_is_refused_with_a_message(client):
    user = ApplicantFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "nope"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert response.context["form"].errors


@pytest.mark.django_db
def test_views_logout_signs_out(client):
    client.force_login(ApplicantFactory())
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("url", CONSOLE_ACCESS)
@pytest.mark.parametrize("role", FACTORIES)
def test_views_console_access_by_role(client, url, role):
    if FACTORIES[role] is not None:
        client.force_login(FACTORIES[role]())
    response = client.get(url)
    expected = CONSOLE_ACCESS[url].get(role)
    if expected in (200, 302):
        assert response.status_code == expected
    elif role == "anonymous" or url == "/admin/":
        # The admin sends anyone without access to its own login page.
        assert response.status_code == 302
        assert "login" in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.django_db
def test_views_back_office_shows_the_agent_prefecture(client):
    agent = PrefectureAgentFactory()
    client.force_login(agent)
    response = client.get("/agents/")
    assert escape(agent.prefecture.name) in response.text  # "l'Isère" is HTML-escaped


@pytest.mark.django_db
def test_views_me_redirects_to_the_role_console(client):
    client.force_login(ContactCentreAgentFactory())
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"] == "/support/"
