"""The sign-up form's hook (`accounts.signals.signup_form_checked`): the apps above accounts
react to a refused sign-up without accounts importing them."""

import pytest

from accounts.forms import SignupForm
from accounts.signals import signup_form_checked

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    forms = []

    def receiver(sender, form, **kwargs):
        forms.append(form)
        form.add_error(None, "Added by a receiver.")

    signup_form_checked.connect(receiver, dispatch_uid="test_signup_form_checked")
    yield forms
    signup_form_checked.disconnect(dispatch_uid="test_signup_form_checked")


def test_forms_signup_refused_sends_the_form_to_receivers(received):
    form = SignupForm(data={"email": "newcomer@example.org", "password1": "x", "password2": "y"})
    assert not form.is_valid()
    assert received == [form]
    assert "Added by a receiver." in form.non_field_errors()
