"""Forms of the contact centre's pages. They check what was typed; the rules are in the services."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.forms import DateInput
from accounts.models import User
from anef import uploads
from anef.validators import validate_person_name
from reference.models import Prefecture
from support.enums import DeskDocumentKind, TicketCategory, TicketStatus
from support.models import SavedAnswer, foreigner_number_validator
from support.selectors import TicketFilters

# What a person or an agent may choose: the automatic inquiry's subject is the system's.
CHOSEN_CATEGORIES = [
    choice for choice in TicketCategory.choices if choice[0] != TicketCategory.PROCESSING_DELAY
]

# What the browser offers to pick; the server checks the bytes anyway (anef/uploads.py).
ACCEPTED_TYPES = uploads.ACCEPT_ATTRIBUTE
HONEYPOT_FIELD = "website"


def _textarea(rows: int = 6, attrs: dict | None = None) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **(attrs or {})})


class AttachmentField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)  # the service names the empty file
        kwargs.setdefault("label", _("Screenshot or file (optional)"))
        kwargs.setdefault(
            "help_text", _("A picture of the error helps us. PNG, JPEG or PDF, 10 MB at most.")
        )
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPTED_TYPES}))
        super().__init__(**kwargs)


class ContactForm(forms.Form):
    """The public form: no account needed."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        validators=[validate_person_name],
        error_messages={"required": _("Enter your name, as you want us to call you.")},
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        help_text=_("Give an e-mail address, a phone number, or both."),
    )
    phone = forms.CharField(label=_("Your phone number"), max_length=30, required=False)
    foreigner_number = forms.CharField(
        label=_("Your foreigner number (optional)"),
        max_length=10,
        required=False,
        validators=[foreigner_number_validator],
        help_text=_("10 digits, on your residence card or receipt. Leave empty if you have none."),
    )
    postal_code = forms.RegexField(
        label=_("Your postal code (optional)"),
        regex=r"^\d{5}$",
        required=False,
        error_messages={"invalid": _("Enter a postal code of 5 digits, for example 75011.")},
        help_text=_("It tells us which prefecture handles your application."),
    )
    category = forms.ChoiceField(
        label=_("What is your request about?"),
        choices=CHOSEN_CATEGORIES,
        error_messages={"required": _("Choose what your request is about.")},
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=_textarea(),
        help_text=_("Say what you tried to do and what went wrong."),
        error_messages={
            "required": _("Write your message: what you tried to do, what went wrong.")
        },
    )
    screenshot = AttachmentField()
    # Left empty by people; filled by robots that fill every field (hidden by CSS, not by type).
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("email") or (data.get("phone") or "").strip()):
            raise ValidationError(
                _("Give an e-mail address or a phone number, so that we can answer you.")
            )
        return data


class ReplyForm(forms.Form):
    message = forms.CharField(label=_("Your message"), max_length=5000, widget=_textarea(5))
    attachment = AttachmentField(label=_("File (optional)"))


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Internal note (never shown to the person)"), max_length=5000, widget=_textarea(3)
    )


class PortalTicketForm(forms.Form):
    category = forms.ChoiceField(label=_("What is your request about?"), choices=CHOSEN_CATEGORIES)
    application = forms.ModelChoiceField(
        label=_("Which application is it about? (optional)"),
        queryset=None,
        required=False,
        empty_label=_("None in particular"),
    )
    message = forms.CharField(label=_("Your message"), max_length=5000, widget=_textarea())
    screenshot = AttachmentField()

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications
        self.fields["application"].label_from_instance = lambda application: (
            f"{application.reference} — {application.ground.label}"
        )


class PhoneTicketForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the caller"), max_length=200, validators=[validate_person_name]
    )
    phone = forms.CharField(label=_("Phone number"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    foreigner_number = forms.CharField(
        label=_("Foreigner number (optional)"),
        max_length=10,
        required=False,
        validators=[foreigner_number_validator],
    )
    category = forms.ChoiceField(label=_("Subject"), choices=CHOSEN_CATEGORIES)
    message = forms.CharField(label=_("What the person asked"), max_length=5000, widget=_textarea())

    def clean(self):
        data = super().clean()
        if not (data.get("email") or (data.get("phone") or "").strip()):
            raise ValidationError(_("Give an e-mail address or a phone number."))
        return data


class ConsoleFilterForm(forms.Form):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Ticket number, name, e-mail address or foreigner number."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("To handle (not resolved)")), ("all", _("All")), *TicketStatus.choices],
    )
    category = forms.ChoiceField(
        label=_("Subject"), required=False, choices=[("", _("All")), *TicketCategory.choices]
    )
    assignee = forms.ChoiceField(
        label=_("Assigned to"),
        required=False,
        choices=[("", _("Anyone")), ("me", _("Me")), ("unassigned", _("Nobody yet"))],
    )
    overdue = forms.BooleanField(label=_("Late only"), required=False)

    def filters(self) -> TicketFilters:
        if not self.is_bound or not self.is_valid():
            return TicketFilters()
        data = self.cleaned_data
        return TicketFilters(
            search=data["search"],
            status=data["status"],
            category=data["category"],
            assignee=data["assignee"],
            overdue=data["overdue"],
        )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents


class EscalateForm(forms.Form):
    prefecture = forms.ModelChoiceField(
        label=_("Prefecture"),
        queryset=Prefecture.objects.all(),
        required=False,
        empty_label=_("The prefecture of the person's application"),
    )
    note = forms.CharField(
        label=_("What the prefecture should do (internal note)"),
        max_length=5000,
        widget=_textarea(3),
    )


class TechnicalImpossibilityForm(forms.Form):
    first_name = forms.CharField(label=_("First name, as printed"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name, as printed"), max_length=150)
    blocking_description = forms.CharField(
        label=_("Description of the blocking"),
        max_length=3000,
        widget=_textarea(4),
        help_text=_(
            "What the person cannot do, what was tried, and why it cannot be solved. It is "
            "printed on the written acknowledgement."
        ),
    )
    prefecture = forms.ModelChoiceField(
        label=_("Prefecture that will receive the person"),
        queryset=Prefecture.objects.all(),
        required=False,
        empty_label=_("The prefecture known from the request"),
    )


class RecoveryFactsForm(forms.Form):
    """What the person says on the phone, TYPED by the agent; the system compares it with the
    record (support.recovery). Never a checkbox."""

    birth_date = forms.DateField(label=_("Date of birth given by the person"), widget=DateInput())
    postal_code = forms.CharField(label=_("Postal code given by the person"), max_length=10)
    foreigner_number = forms.CharField(
        label=_("Foreigner number (AGDREF) given by the person"),
        help_text=_("Leave empty if the person has none: they will be sent to a prefecture desk."),
        max_length=20,
        required=False,
    )


class RecoveryRequestForm(RecoveryFactsForm):
    account = forms.CharField(
        label=_("Account's e-mail address or foreigner number"), max_length=254
    )
    new_email = forms.EmailField(label=_("New e-mail address of the account"))
    field_order = ["account", "new_email", "birth_date", "postal_code", "foreigner_number"]

    def clean_account(self) -> User:
        value = self.cleaned_data["account"].strip()
        user = User.objects.filter(
            Q(email__iexact=value) | Q(applicant_profile__foreigner_number=value)
        ).first()
        if user is None:
            raise ValidationError(_("No account has this e-mail address or foreigner number."))
        return user


class RecoveryRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the recovery is refused (internal)"), max_length=2000, widget=_textarea(2)
    )


class DeskCheckForm(forms.Form):
    """A prefecture agent, at the desk, with the person and their original papers."""

    reference = forms.CharField(widget=forms.HiddenInput)
    document_kind = forms.ChoiceField(
        label=_("Original document you saw"), choices=DeskDocumentKind.choices
    )
    note = forms.CharField(
        label=_("Note for the contact centre (optional)"),
        required=False,
        max_length=2000,
        widget=_textarea(2),
    )


class SavedAnswerForm(forms.ModelForm):
    class Meta:
        model = SavedAnswer
        fields = ["title", "category", "body_fr", "body_en", "body_ar", "active"]
        widgets = {
            "body_fr": _textarea(),
            "body_en": _textarea(),
            "body_ar": _textarea(attrs={"lang": "ar", "dir": "rtl"}),
        }
