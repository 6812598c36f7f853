import pytest
from django.contrib.auth.models import Permission

from tests.accounts.factories import ContactCentreAgentFactory


@pytest.fixture
def agent(db):
    return ContactCentreAgentFactory()


@pytest.fixture
def supervisor(db):
    user = ContactCentreAgentFactory(email="supervisor@anef.example")
    permission = Permission.objects.get(
        content_type__app_label="support", codename="supervise_contact_centre"
    )
    user.user_permissions.add(permission)
    return user
