"""Names typed in public forms hold no control character (issue 15): a newline in the contact
form's name went into the confirmation e-mail sent to any typed address."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.forms import SignupForm
from anef.validators import validate_person_name
from substitution.views.forms import HelpRequestForm
from support.models import Ticket
from support.views.forms import ContactForm
from tests.conftest import fresh_cache_setting
from tests.support.factories import contact_form_data

INJECTED = "Awa\r\nBcc: everyone@example.org\r\n\r\nYour account is closed, click here"


@pytest.mark.django_db
def test_contact_form_name_with_newlines_sends_no_email_and_opens_no_ticket(
    client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.CACHES = fresh_cache_setting()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("support_public:contact"),
            contact_form_data(name=INJECTED, email="victim@example.org"),
            headers={"accept-language": "en"},
        )
    assert response.status_code == 400
    assert "control characters" in response.text
    assert mailoutbox == []
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("form_class", "field"),
    [
        (ContactForm, "name"),
        (HelpRequestForm, "contact_name"),
        (SignupForm, "first_name"),
        (SignupForm, "last_name"),
    ],
)
def test_public_form_name_field_uses_the_name_validator(form_class, field):
    assert validate_person_name in form_class.base_fields[field].validators


@pytest.mark.parametrize("name", ["Awa\nKonaté", "Awa\rK", "A\x1bB", "A\u2028B", "A\u202eB"])
def test_name_validator_refuses_control_characters(name):
    with translation.override("en"), pytest.raises(Exception, match="control characters"):
        validate_person_name(name)


@pytest.mark.parametrize("name", ["Awa Konaté", "N'Golo Kanté-Diallo", "محمد", "می\u200cخواهم"])
def test_name_validator_accepts_real_names(name):
    validate_person_name(name)
