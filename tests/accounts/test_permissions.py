"""Role checks: one function per console, used by views, API and admin alike."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.permissions import (
    can_use_admin,
    can_use_back_office,
    can_use_portal,
    can_use_support_console,
    is_prefecture_supervisor,
    role_home_url_name,
)
from tests.accounts.factories import (
    AdministratorFactory,
    ApplicantFactory,
    ContactCentreAgentFactory,
    HelperFactory,
    PrefectureAgentFactory,
    PrefectureSupervisorFactory,
)

FACTORIES = {
    "applicant": ApplicantFactory,
    "helper": HelperFactory,
    "prefecture_agent": PrefectureAgentFactory,
    "contact_centre_agent": ContactCentreAgentFactory,
    "administrator": AdministratorFactory,
}

# role → (portal, back office, support console, admin)
EXPECTED = {
    "applicant": (True, False, False, False),
    "helper": (True, False, False, False),
    "prefecture_agent": (False, True, False, False),
    "contact_centre_agent": (False, False, True, False),
    "administrator": (False, False, False, True),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", EXPECTED)
def test_permissions_each_role_reaches_only_its_console(role):
    user = FACTORIES[role]()
    abilities = (
        can_use_portal(user),
        can_use_back_office(user),
        can_use_support_console(user),
        can_use_admin(user),
    )
    assert abilities == EXPECTED[role]


def test_permissions_anonymous_reaches_no_console():
    anonymous = AnonymousUser()
    assert not any(
        check(anonymous)
        for check in (can_use_portal, can_use_back_office, can_use_support_console, can_use_admin)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", EXPECTED)
def test_permissions_inactive_account_reaches_no_console(role):
    user = FACTORIES[role](is_active=False)
    assert not any(
        check(user)
        for check in (can_use_portal, can_use_back_office, can_use_support_console, can_use_admin)
    )


@pytest.mark.django_db
def test_permissions_administrator_without_staff_flag_cannot_use_admin():
    assert not can_use_admin(AdministratorFactory(is_staff=False))


@pytest.mark.django_db
def test_permissions_staff_flag_without_administrator_role_cannot_use_admin():
    assert not can_use_admin(ContactCentreAgentFactory(is_staff=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("applicant", "portal:home"),
        ("helper", "mandates:helping"),
        ("prefecture_agent", "backoffice:home"),
        ("contact_centre_agent", "support_console:home"),
        ("administrator", "admin:index"),
    ],
)
def test_permissions_role_home_is_the_role_console(role, url_name):
    assert role_home_url_name(FACTORIES[role]()) == url_name


@pytest.mark.django_db
def test_prefecture_supervisor_agent_holding_the_permission_is_one():
    assert is_prefecture_supervisor(PrefectureSupervisorFactory())


@pytest.mark.django_db
def test_prefecture_supervisor_plain_agent_is_not_one():
    assert not is_prefecture_supervisor(PrefectureAgentFactory())


@pytest.mark.django_db
def test_prefecture_supervisor_permission_outside_a_prefecture_role_grants_nothing():
    from django.contrib.auth.models import Permission

    contact_agent = ContactCentreAgentFactory()
    contact_agent.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="applications", codename="supervise_prefecture"
        )
    )
    assert not is_prefecture_supervisor(contact_agent)
