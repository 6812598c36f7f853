"""Forms of the applicant's account: sign-up with identity, completing and moving address.

Validation here is about what a person typed (formats, a number already used); the writes go
through `accounts.services` and `applications.services`.
"""

import logging
from datetime import date

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.enums import ContactChannels
from accounts.models import ApplicantProfile, User
from accounts.services import (
    applicant_profile_create,
    contact_preferences_set,
    preferred_language_set,
)
from accounts.signals import signup_form_checked
from anef.phone import phone_e164
from anef.validators import validate_person_name

logger = logging.getLogger(__name__)

postal_code_validator = RegexValidator(r"^\d{5}$", _("A French postal code has 5 digits."))


class DateInput(forms.DateInput):
    """The browser's date picker; it sends ISO dates, which Django always accepts."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def foreigner_number_taken_message() -> str:
    """A number already used must not dead-end the person: say what to do and who to call."""
    return _(
        "This foreigner number is already used by another account. If this is your number, "
        "contact us: a person will check and fix it. Call %(phone)s. You can also leave this "
        "field empty and go on: the number can be added later."
    ) % {"phone": settings.CONTACT_PHONE}


class AddressForm(forms.Form):
    """A postal address in France: it decides which prefecture instructs the dossiers."""

    address_line = forms.CharField(
        label=_("Address"),
        max_length=255,
        help_text=_("Number and street. Add « c/o » and the name if you are hosted."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=5,
        validators=[postal_code_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )


class ApplicantIdentityForm(AddressForm):
    """The civil identity and address an applicant gives once (DESIGN.md §3)."""

    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput())
    birth_place = forms.CharField(
        label=_("Birth place"),
        max_length=200,
        required=False,
        help_text=_("Town and country, as on your passport."),
    )
    nationality = forms.CharField(label=_("Nationality"), max_length=100)
    identity_document_reference = forms.CharField(
        label=_("Passport or identity document number"),
        max_length=100,
        required=False,
        help_text=_("If you have no passport, leave it empty: you can explain it later."),
    )
    foreigner_number = forms.CharField(
        label=_("Foreigner number (AGDREF)"),
        max_length=20,
        required=False,
        help_text=_(
            "10 digits, written on a residence permit or a receipt. If you do not have one "
            "yet, leave it empty: this is not a problem."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    identity_fields = (
        "birth_date",
        "birth_place",
        "nationality",
        "identity_document_reference",
        "foreigner_number",
    )
    address_fields = ("address_line", "postal_code", "city")

    def clean_birth_date(self) -> date:
        value = self.cleaned_data["birth_date"]
        if value >= timezone.localdate():
            raise ValidationError(_("Enter a birth date in the past."))
        return value

    def clean_foreigner_number(self) -> str | None:
        value = "".join((self.cleaned_data.get("foreigner_number") or "").split())
        if not value:
            return None
        if not (len(value) == 10 and value.isdigit()):
            raise ValidationError(
                _(
                    "A foreigner number (AGDREF) has exactly 10 digits. If you are not sure, "
                    "leave it empty."
                )
            )
        if ApplicantProfile.objects.filter(foreigner_number=value).exists():
            raise ValidationError(foreigner_number_taken_message(), code="foreigner_number_taken")
        return value

    def profile_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "birth_date": data["birth_date"],
            "birth_place": data.get("birth_place", ""),
            "nationality": data["nationality"].strip(),
            "identity_document_reference": data.get("identity_document_reference", "").strip(),
            "foreigner_number": data.get("foreigner_number"),
            "address_line": data["address_line"].strip(),
            "postal_code": data["postal_code"],
            "city": data["city"].strip(),
        }


class LoginForm(AllauthLoginForm):
    """allauth's login, with the address typed replaced by the account's own once they compare
    equal after normalisation (issue 15): the rest of the login (e-mail verification, lockout
    per address) then sees one address per account, never a variant typed by someone."""

    def clean_login(self) -> str:
        login = super().clean_login()
        stored = User.objects.filter_by_email(login).values_list("email", flat=True).first()
        return stored or login


class ContactPreferencesForm(forms.Form):
    """How the person wants to be told (issue 21): e-mail, texts or both, and the number."""

    contact_channels = forms.ChoiceField(
        label=_("How do you want us to tell you when something happens?"),
        choices=ContactChannels.choices,
        initial=ContactChannels.EMAIL,
        required=False,  # left empty: e-mail, as before the choice existed
        widget=forms.RadioSelect,
        help_text=_("Your e-mail address stays the one you sign in with."),
    )
    phone_number = forms.CharField(
        label=_("Mobile phone number"),
        max_length=32,
        required=False,
        help_text=_(
            "Only for text messages. We send a code to this number to check it. A text never "
            "says more than a short sentence and a link to your space."
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "dir": "ltr"}),
    )

    def clean(self) -> dict:
        data = super().clean() or self.cleaned_data
        channels = data.get("contact_channels") or ContactChannels.EMAIL
        data["contact_channels"] = channels
        raw = (data.get("phone_number") or "").strip()
        if raw and phone_e164(raw) is None:
            self.add_error(
                "phone_number",
                _(
                    "Enter a mobile phone number, for example 06 12 34 56 78, or with its "
                    "country code, for example +44 7911 123456."
                ),
            )
        elif channels != ContactChannels.EMAIL and not raw:
            self.add_error(
                "phone_number", _("Enter your mobile phone number to receive text messages.")
            )
        return data


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code received by text message"),
        max_length=12,
        help_text=_("6 digits."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"}
        ),
    )


class SignupForm(ApplicantIdentityForm, ContactPreferencesForm, AllauthSignupForm):
    """allauth's sign-up (e-mail, password, confirmation e-mail) plus the person's identity.

    The foreigner number is optional: anyone may create an account without it (DESIGN.md §3,
    scenario 4).
    """

    first_name = forms.CharField(
        label=_("First name(s)"),
        max_length=150,
        validators=[validate_person_name],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        validators=[validate_person_name],
        help_text=_("As written on your passport or identity document."),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )

    account_fields = ("email", "password1", "password2")
    name_fields = ("first_name", "last_name")
    contact_fields = ("contact_channels", "phone_number")
    field_order = [
        *account_fields,
        *name_fields,
        *ApplicantIdentityForm.identity_fields,
        *ApplicantIdentityForm.address_fields,
        *contact_fields,
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password1" in self.fields:
            # allauth's default help is an HTML list; one plain sentence reads better.
            self.fields["password1"].help_text = _(
                "At least 8 characters, not only digits, not a common password and not close "
                "to your e-mail address."
            )
        if "email" in self.fields:
            self.fields["email"].help_text = _(
                "We send you a link to confirm it. Use an address you can read."
            )

    def full_clean(self) -> None:
        super().full_clean()
        # Issue 6: repeated refusals offer another way in (substitution connects to this).
        signup_form_checked.send(sender=type(self), form=self)

    def signup(self, request, user) -> None:
        """Called by allauth once the account exists: record the person's identity."""
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])
        # Texts and e-mails to them go in the language they signed up in.
        preferred_language_set(user=user, language=translation.get_language())
        # The number is checked later, signed in (a code sent from an anonymous form would let
        # anyone text any number).
        contact_preferences_set(
            user=user,
            channels=self.cleaned_data.get("contact_channels") or ContactChannels.EMAIL,
            phone_number=self.cleaned_data.get("phone_number") or "",
        )
        try:
            applicant_profile_create(user=user, **self.profile_kwargs())
        except ValidationError:
            # Only a race on the same foreigner number can get here: the account stays usable
            # and the portal asks the person to complete their profile.
            logger.warning("Profile not created at sign-up for user %s", user.pk)


class ProfileCompleteForm(ApplicantIdentityForm):
    """For an account without identity yet (created by staff, or before this page existed)."""

    field_order = [*ApplicantIdentityForm.identity_fields, *ApplicantIdentityForm.address_fields]


class AddressChangeForm(AddressForm):
    """A move: `applications.services.address_change` keeps the old address in the history."""
