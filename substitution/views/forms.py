"""Forms of the substitution pages. They check the shape of what is typed; the rules live in
the services."""

from datetime import time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.forms import DateInput
from anef.validators import validate_person_name
from applications.selectors import ground_list_offered
from reference.enums import CardType, ProcedureKind
from substitution.enums import CaseMode, DepositChannel
from substitution.models import Slot

# With a context of their own: a plain "Monday" in our catalog would override Django's
# lowercase "lundi" in every formatted date ("le Lundi 7 décembre", walked 2026-12-04).
WEEKDAYS = [
    (0, pgettext_lazy("weekday of a desk's opening hours", "Monday")),
    (1, pgettext_lazy("weekday of a desk's opening hours", "Tuesday")),
    (2, pgettext_lazy("weekday of a desk's opening hours", "Wednesday")),
    (3, pgettext_lazy("weekday of a desk's opening hours", "Thursday")),
    (4, pgettext_lazy("weekday of a desk's opening hours", "Friday")),
    (5, pgettext_lazy("weekday of a desk's opening hours", "Saturday")),
    (6, pgettext_lazy("weekday of a desk's opening hours", "Sunday")),
]


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Slot) -> str:
        start = timezone.localtime(obj.starts_at)
        return f"{start:%d/%m/%Y %H:%M} — {obj.desk.name}"


class BookForm(forms.Form):
    """Choose one of the free slots offered (the service checks again under lock)."""

    slot = SlotChoiceField(
        label=_("Choose a time"),
        queryset=Slot.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args, slots=None, **kwargs):
        super().__init__(*args, **kwargs)
        if slots is not None:
            self.fields["slot"].queryset = Slot.objects.filter(
                pk__in=[slot.pk for slot in slots]
            ).select_related("desk")
            self.fields["slot"].choices = [
                (slot.pk, self.fields["slot"].label_from_instance(slot)) for slot in slots
            ]


class ModeForm(forms.Form):
    mode = forms.ChoiceField(label=_("How do you want to file?"), choices=CaseMode.choices)


class MarkForm(forms.Form):
    attended = forms.TypedChoiceField(
        label=_("Did the person come?"),
        choices=[("1", _("Came")), ("0", _("Did not come"))],
        coerce=lambda value: value == "1",
    )


class SlotPatternForm(forms.Form):
    """A weekly pattern of slots for one desk."""

    first_day = forms.DateField(label=_("From"), widget=DateInput())
    last_day = forms.DateField(label=_("Until (included)"), widget=DateInput())
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )
    day_start = forms.TimeField(label=_("First slot at"), initial=time(9, 0))
    day_end = forms.TimeField(label=_("Last slot ends by"), initial=time(12, 0))
    minutes = forms.IntegerField(label=_("Length of a slot (minutes)"), min_value=5, initial=30)
    capacity = forms.IntegerField(label=_("People per slot"), min_value=1, max_value=50, initial=1)


class QueueTicketForm(forms.Form):
    visitor_name = forms.CharField(label=_("Visitor's name"), max_length=200, required=False)


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput(), required=False)


class HelpRequestForm(forms.Form):
    """A person who cannot sign in or create an account asks for the substitution offered."""

    contact_name = forms.CharField(
        label=_("Your name"), max_length=200, validators=[validate_person_name]
    )
    contact_email = forms.EmailField(
        label=_("The e-mail address you tried to use"),
        help_text=_("We use it to recognise the attempts that failed."),
    )
    contact_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    postal_code = forms.RegexField(
        label=_("Postal code of your address"), regex=r"^\d{5}$", max_length=5
    )


class EmailCodeForm(forms.Form):
    """The code sent to the case's e-mail address, typed back (issue 15)."""

    code = forms.RegexField(
        label=_("Code received by e-mail"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=9,
        help_text=_("6 digits."),
        error_messages={"invalid": _("Type the 6 digits of the code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SuspiciousCancelForm(forms.Form):
    note = forms.CharField(
        label=_("Why you cancel (kept in the audit log)"), max_length=500, required=False
    )


class DepositForm(forms.Form):
    """The person and the application received at the desk, by post or by e-mail."""

    channel = forms.ChoiceField(label=_("Received"), choices=DepositChannel.choices)
    first_name = forms.CharField(label=_("First name(s)"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("If the person has one: their account is created on it, to claim later."),
    )
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput())
    birth_place = forms.CharField(label=_("Birth place"), max_length=200, required=False)
    nationality = forms.CharField(label=_("Nationality"), max_length=100)
    foreigner_number = forms.RegexField(
        label=_("Foreigner number (AGDREF)"),
        regex=r"^\d{10}$",
        required=False,
        help_text=_("10 digits; leave empty if the person has none."),
    )
    address_line = forms.CharField(label=_("Address"), max_length=255)
    postal_code = forms.RegexField(label=_("Postal code"), regex=r"^\d{5}$", max_length=5)
    city = forms.CharField(label=_("City"), max_length=100)
    ground = forms.ModelChoiceField(label=_("Ground"), queryset=ground_list_offered())
    kind = forms.ChoiceField(label=_("Procedure"), choices=ProcedureKind.choices)
    permit_number = forms.CharField(label=_("Card renewed: number"), max_length=30, required=False)
    permit_card_type = forms.ChoiceField(
        label=_("Card renewed: type"), choices=[("", "—"), *CardType.choices], required=False
    )
    permit_valid_from = forms.DateField(
        label=_("Card renewed: valid from"), widget=DateInput(), required=False
    )
    permit_valid_until = forms.DateField(
        label=_("Card renewed: valid until"), widget=DateInput(), required=False
    )

    permit_fields = ("permit_number", "permit_card_type", "permit_valid_from", "permit_valid_until")

    def clean(self):
        data = super().clean()
        if data.get("kind") == ProcedureKind.RENEWAL:
            for name in self.permit_fields:
                if not data.get(name):
                    self.add_error(name, _("Required for a renewal."))
        return data

    def permit(self) -> dict | None:
        data = self.cleaned_data
        if data["kind"] != ProcedureKind.RENEWAL:
            return None
        return {
            "number": data["permit_number"],
            "card_type": data["permit_card_type"],
            "valid_from": data["permit_valid_from"],
            "valid_until": data["permit_valid_until"],
        }

    def person(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name] or ""
            for name in (
                "first_name",
                "last_name",
                "email",
                "birth_place",
                "nationality",
                "foreigner_number",
                "address_line",
                "postal_code",
                "city",
            )
        } | {"birth_date": data["birth_date"]}
