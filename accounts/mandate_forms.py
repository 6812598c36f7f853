"""Forms of mandates: what a person or a helper typed. The rules are in `accounts.mandates`."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import MandateDuration
from accounts.forms import DateInput
from reference.selectors import grounds_offered


class _ScopeAndDatesForm(forms.Form):
    grounds = forms.ModelMultipleChoiceField(
        label=_("Only for these applications"),
        help_text=_("Leave every box empty: the mandate covers all applications."),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    duration = forms.ChoiceField(
        label=_("How long?"),
        choices=MandateDuration.choices,
        initial=MandateDuration.ONE_MONTH,
        widget=forms.RadioSelect,
    )
    starts_on = forms.DateField(
        label=_("Starts on"),
        widget=DateInput(),
        help_text=_("It can be today."),
    )

    field_order = ["grounds", "duration", "starts_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grounds"].queryset = grounds_offered().order_by("label_fr")
        self.fields["starts_on"].initial = timezone.localdate()

    def mandate_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "grounds": list(data["grounds"]),
            "duration": data["duration"],
            "starts_on": data["starts_on"],
        }


class MandateGrantForm(_ScopeAndDatesForm):
    """The person gives a mandate to a helper, from their account."""

    helper_email = forms.EmailField(
        label=_("E-mail address of the helper"),
        help_text=_("The helper gives it to you: it is the address of their helper account."),
    )
    organisation_name = forms.CharField(
        label=_("Helper's organisation"),
        help_text=_("For example: the association, the prison, the hospital, the PAN."),
        max_length=200,
        required=False,
    )
    organisation_email = forms.EmailField(
        label=_("E-mail address of the organisation"),
        help_text=_("We warn it a few days before the mandate ends."),
        required=False,
    )

    field_order = ["helper_email", *_ScopeAndDatesForm.field_order]

    def mandate_kwargs(self) -> dict:
        return {
            **super().mandate_kwargs(),
            "helper_email": self.cleaned_data["helper_email"],
            "organisation_name": self.cleaned_data["organisation_name"],
            "organisation_email": self.cleaned_data["organisation_email"],
        }


class _HelperMandateForm(_ScopeAndDatesForm):
    organisation_name = forms.CharField(
        label=_("Your organisation"),
        help_text=_("For example: the association, the prison, the hospital, the PAN."),
        max_length=200,
    )
    organisation_email = forms.EmailField(
        label=_("E-mail address of your organisation"),
        help_text=_("We warn it a few days before the mandate ends."),
    )

    def mandate_kwargs(self) -> dict:
        return {
            **super().mandate_kwargs(),
            "organisation_name": self.cleaned_data["organisation_name"],
            "organisation_email": self.cleaned_data["organisation_email"],
        }


class MandateRequestForm(_HelperMandateForm):
    """The helper asks a person who has an account; the person confirms from their account."""

    person_email = forms.EmailField(
        label=_("E-mail address of the person"),
        help_text=_("The address of the person's account on this website."),
    )

    field_order = ["person_email", *_ScopeAndDatesForm.field_order]


class MandateRecordForm(_HelperMandateForm):
    """The helper records a mandate signed on paper, for a person who may have no account yet
    (prison, compulsory hospital care)."""

    person_email = forms.EmailField(
        label=_("E-mail address of the person"),
        help_text=_(
            "If the address has no account yet, we open one for the person. Whatever the "
            "address, we ask its holder to confirm the mandate."
        ),
    )
    first_name = forms.CharField(label=_("First name of the person"), max_length=150)
    postal_code = forms.RegexField(
        label=_("Postal code where the person lives or is held (optional)"),
        help_text=_(
            "For a person who has no application yet: it tells which prefecture can check "
            "their identity and the signed form at a desk."
        ),
        regex=r"^\d{5}$",
        error_messages={"invalid": _("A French postal code has 5 digits.")},
        required=False,
    )
    last_name = forms.CharField(label=_("Last name of the person"), max_length=150)
    consent_file = forms.FileField(
        label=_("The signed form, scanned"),
        help_text=_("PDF, JPEG or PNG. The person's signature must be readable."),
    )
    signed_in_front_of_me = forms.BooleanField(
        label=_("The person signed this form and agrees that I act for them."),
        help_text=_(
            "The mandate comes into force only when the person confirms it, or when a "
            "prefecture agent checks their identity and this form."
        ),
    )

    field_order = [
        "person_email",
        "first_name",
        "last_name",
        "postal_code",
        *_ScopeAndDatesForm.field_order,
        "organisation_name",
        "organisation_email",
        "consent_file",
        "signed_in_front_of_me",
    ]


class MandateIdentityCheckForm(forms.Form):
    """A prefecture agent records that they checked the person's identity and signed form."""

    identity_document = forms.CharField(
        label=_("Identity document you saw (kind and number)"),
        help_text=_("For example: passport 12AB34567. Written on the mandate, in your name."),
        max_length=100,
    )
    person_seen = forms.BooleanField(
        label=_(
            "I saw the person, their identity document matches the account, and they told me "
            "they signed this form and want this helper to act for them."
        ),
    )
    form_compared = forms.BooleanField(
        label=_("I compared the signed form with the scan shown here."),
    )
