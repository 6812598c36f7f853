"""Forms of the applicant portal. They check what was typed; the rules are in the services."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.forms import DateInput
from anef import uploads
from applications.enums import ErrorReportCategory, RequestedCard
from applications.models import ResidencePermit
from reference.enums import CardType, ProcedureKind
from reference.models import Ground

# What the browser offers to pick; the server checks the bytes anyway (anef/uploads.py).
ACCEPTED_TYPES = uploads.ACCEPT_ATTRIBUTE

# One sentence per procedure, shown when the person chooses (issue: guided creation).
PROCEDURE_EXPLANATIONS = {
    ProcedureKind.FIRST_APPLICATION: _("You ask for a card on this ground for the first time."),
    ProcedureKind.RENEWAL: _(
        "You already have a card on this ground and it ends soon: you ask for the next one."
    ),
    ProcedureKind.CHANGE_OF_STATUS: _(
        "You have a card on another ground (for example student) and your situation changed."
    ),
    ProcedureKind.CHANGE_OF_SITUATION: _(
        "Your card is still valid but something changed (name, marital status, address on the "
        "card): you ask for an updated card."
    ),
    ProcedureKind.TRAVEL_DOCUMENT: _(
        "You are protected or stateless and need a document to travel abroad."
    ),
    ProcedureKind.DUPLICATE: _("Your card was lost, stolen or damaged: you ask for a new copy."),
}

REQUESTED_CARD_EXPLANATIONS = {
    RequestedCard.SAME: _("The usual choice: a new card of the same kind as the one you hold."),
    RequestedCard.MULTI_YEAR: _(
        "A card valid for several years, if you meet its conditions (for example French "
        "language level and integration contract)."
    ),
    RequestedCard.RESIDENT: _(
        "A 10-year card, usually after several years of legal stay and with a good level of French."
    ),
}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked one by one by the service, which names it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"multiple": True, "accept": ACCEPTED_TYPES})
        )
        # Empty files are refused by the service, with the file's name in the message.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not files:
            if self.required:
                raise ValidationError(_("Choose at least one file."), code="required")
            return []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class DocumentUploadForm(forms.Form):
    """Files for one piece of the checklist. Two inputs with the same name: one to choose files
    (several at once), one that opens the phone's camera."""

    files = MultipleFileField(
        label=_("Add files"),
        help_text=_("PDF, JPEG or PNG. You can choose several files at once."),
    )


class CorrectionAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=5000,
        help_text=_("Optional if you added the documents asked for. Say what you changed."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ErrorReportForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=ErrorReportCategory.choices,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("Describe the error"),
        max_length=5000,
        help_text=_("In a few words: what is wrong and what is right."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence = MultipleFileField(
        label=_("Proof"),
        required=False,
        help_text=_(
            "PDF, JPEG or PNG: for example the receipt given when your previous card was "
            "handed over to you."
        ),
    )


class ProcedureChoiceForm(forms.Form):
    """Step 2: which procedure, among those offered on the chosen ground."""

    kind = forms.ChoiceField(label=_("What do you ask for?"), widget=forms.RadioSelect)

    def __init__(self, *args, ground: Ground, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ProcedureKind.choices)
        self.fields["kind"].choices = [
            (kind, labels.get(kind, kind)) for kind in ground.procedure_kinds if kind in labels
        ]
        if len(self.fields["kind"].choices) == 1:
            self.fields["kind"].initial = self.fields["kind"].choices[0][0]

    def options(self) -> list[dict]:
        return _options(self["kind"], PROCEDURE_EXPLANATIONS)


class RenewalForm(forms.Form):
    """Step 3 of a renewal: which card is renewed, and which card is asked for."""

    permit = forms.ModelChoiceField(
        label=_("Which card do you renew?"),
        queryset=ResidencePermit.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the card you want to renew.")},
    )
    requested_card = forms.ChoiceField(
        label=_("Which card do you ask for?"),
        choices=RequestedCard.choices,
        initial=RequestedCard.SAME,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, permits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permit"].queryset = permits
        self.fields["permit"].label_from_instance = _permit_label

    def requested_card_options(self) -> list[dict]:
        return _options(self["requested_card"], REQUESTED_CARD_EXPLANATIONS)


class ChangeOfStatusForm(forms.Form):
    """Step 3 of a change of status: the card held now, which the attestations continue while
    the new ground is examined (one chain of attestations per card held)."""

    permit = forms.ModelChoiceField(
        label=_("Which card do you hold now?"),
        queryset=ResidencePermit.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the card you hold now.")},
    )

    def __init__(self, *args, permits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permit"].queryset = permits
        self.fields["permit"].label_from_instance = _permit_label


def _permit_label(permit: ResidencePermit) -> str:
    return _("Card %(number)s — %(type)s, valid from %(start)s until %(end)s") % {
        "number": permit.number,
        "type": permit.get_card_type_display(),
        "start": date_format(permit.valid_from, "SHORT_DATE_FORMAT"),
        "end": date_format(permit.valid_until, "SHORT_DATE_FORMAT"),
    }


def _options(bound_field, explanations: dict) -> list[dict]:
    """Radio choices with a one-sentence hint each, for the templates."""
    return [
        {
            "radio": radio,
            "hint": explanations.get(radio.data["value"], ""),
        }
        for radio in bound_field
    ]


class PermitDeclareForm(forms.Form):
    number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        help_text=_("Printed on the card, usually at the top right."),
    )
    card_type = forms.ChoiceField(
        label=_("Kind of card"),
        choices=[
            (value, label) for value, label in CardType.choices if value != CardType.SAME_AS_HELD
        ],
    )
    ground = forms.ModelChoiceField(
        label=_("Ground written on the card"),
        queryset=Ground.objects.none(),
        required=False,
        empty_label=_("I do not know"),
        help_text=_("For example « salarié » or « vie privée et familiale »."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())
    handed_over = forms.TypedChoiceField(
        label=_("Do you have this card in your hands?"),
        choices=[
            ("yes", _("Yes, the prefecture handed it over to me")),
            ("no", _("No, not yet: it is still at the prefecture")),
        ],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    handed_over_on = forms.DateField(
        label=_("Handed over on"),
        required=False,
        help_text=_("If you do not remember, leave it empty."),
        widget=DateInput(),
    )

    def __init__(self, *args, grounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].queryset = grounds

    def clean(self):
        data = super().clean()
        if not data.get("handed_over"):
            data["handed_over_on"] = None
        return data
