"""Forms of the queue's saved views and bulk actions (issue 20). They collect what the agent
typed; the rules (ownership, limits, transitions) are the services'."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.views.backoffice_forms import CORRECTION_DEFAULT_DAYS
from applications.workbench import bulk
from applications.workbench.saved_views import NAME_MAX_LENGTH
from applications.workbench.selectors import prefecture_agents
from reference.models import DocumentType


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SavedViewForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the view"),
        help_text=_("For example « Renewals of students ». Only you see your views."),
        max_length=NAME_MAX_LENGTH,
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)


def action_choices(supervisor: bool) -> list[tuple[str, str]]:
    """The bulk actions offered; assigning to another agent is a supervisor's."""
    choices = [
        (bulk.ASSIGN_TO_ME, _("Assign to me")),
        (bulk.ASSIGN, _("Assign to an agent of the team")),
        (bulk.REQUEST_CORRECTION, _("Ask for the same missing piece")),
        (bulk.CARD_AVAILABLE, _("Record the cards as ready to collect")),
        (bulk.CARD_HANDED_OVER, _("Record the cards as handed over")),
    ]
    return [choice for choice in choices if supervisor or choice[0] != bulk.ASSIGN]


class BulkChooseForm(forms.Form):
    """The queue's bulk form: the ids ticked (or every id of the page) and the action."""

    action = forms.ChoiceField(label=_("Action on the applications ticked"))

    def __init__(self, *args, supervisor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Choose an action")), *action_choices(supervisor)]

    def ids(self) -> list[str]:
        """The ids ticked; with « every application of this page » ticked, the page's."""
        if self.data.get("whole_page"):
            return self.data.getlist("page_ids")
        return self.data.getlist("ids")


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=None, empty_label=None)

    def __init__(self, *args, prefecture_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = prefecture_agents(prefecture_id)
        self.fields["agent"].label_from_instance = lambda user: user.get_full_name() or user.email


class CorrectionForm(forms.Form):
    document_type = forms.ModelChoiceField(
        label=_("Missing piece"),
        help_text=_(
            "An application whose list does not have this piece is left as it is and reported."
        ),
        queryset=None,
    )
    message = forms.CharField(
        label=_("What must be corrected or added"),
        help_text=_("The person reads this message as it is: use short, plain sentences."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    deadline = forms.DateField(label=_("Answer before"), widget=_date_input())

    def __init__(self, *args, ground_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = (
            DocumentType.objects.filter(requirements__ground_id__in=ground_ids)
            .distinct()
            .order_by("code")
        )
        self.fields["deadline"].initial = timezone.localdate() + datetime.timedelta(
            days=CORRECTION_DEFAULT_DAYS
        )


class HandoverForm(forms.Form):
    """The day the cards were handed over, and for each dossier its card's number and dates."""

    handed_over_on = forms.DateField(label=_("Handed over on"), widget=_date_input())

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handed_over_on"].initial = timezone.localdate()
        self.rows = []
        for application in applications:
            names = {
                "card_number": f"card_number-{application.pk}",
                "valid_from": f"valid_from-{application.pk}",
                "valid_until": f"valid_until-{application.pk}",
            }
            self.fields[names["card_number"]] = forms.CharField(
                label=_("Card number"), max_length=30
            )
            self.fields[names["valid_from"]] = forms.DateField(
                label=_("Valid from"), widget=_date_input()
            )
            self.fields[names["valid_until"]] = forms.DateField(
                label=_("Valid until"), widget=_date_input()
            )
            self.rows.append((application, [self[name] for name in names.values()], names))

    def cards(self) -> dict[int, dict]:
        return {
            application.pk: {key: self.cleaned_data[name] for key, name in names.items()}
            for application, _fields, names in self.rows
        }
