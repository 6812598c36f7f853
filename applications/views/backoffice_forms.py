"""Forms of the prefecture back office.

They collect and clean what the agent types; they hold no rule of their own. Every rule (which
transition is allowed, what a refusal must state, what a foreigner number looks like, whether a
deadline is in the future) is checked by the service the view calls, and its refusal is shown
to the agent in plain words.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import ApplicationStatus, ErrorReportCategory, NotificationChannel
from applications.models import Application, ErrorReport
from applications.selectors import QueueFilters
from reference.enums import DecisionKind, ProcedureKind
from reference.models import DecisionReason, DocumentType, Ground

# A correction request gives the person a month by default; the agent may change it.
CORRECTION_DEFAULT_DAYS = 30

ORDER_PRIORITY = "priority"
ORDER_FILED = "filed"


def _date_input() -> forms.DateInput:
    """A native date picker; the ISO value format is what browsers send and expect."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# --- Queue ---------------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The queue's GET filters: works without JavaScript, every field optional."""

    search = forms.CharField(
        label=_("Search"),
        help_text=_(
            "Reference, last name, e-mail address, foreigner number or words of an agent's note"
        ),
        required=False,
        max_length=150,
    )
    scope = forms.ChoiceField(
        label=_("Applications"),
        required=False,
        choices=[
            ("", _("All the prefecture's applications")),
            ("mine", _("Assigned to me")),
            ("unassigned", _("Assigned to nobody")),
            ("followed", _("Followed by me")),
        ],
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    ground = forms.ChoiceField(label=_("Ground"), required=False)
    kind = forms.ChoiceField(label=_("Procedure"), required=False)
    filed_from = forms.DateField(label=_("Filed on or after"), required=False, widget=_date_input())
    filed_until = forms.DateField(
        label=_("Filed on or before"), required=False, widget=_date_input()
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            (ORDER_PRIORITY, _("Renewals first, permits expiring soonest")),
            (ORDER_FILED, _("Filed date, oldest first")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("All statuses")),
            *[
                (value, label)
                for value, label in ApplicationStatus.choices
                if value != ApplicationStatus.DRAFT  # drafts never reach the prefecture
            ],
        ]
        # Every ground, offered or not: an inactive ground may still have dossiers in the queue.
        self.fields["ground"].choices = [
            ("", _("All grounds")),
            *[
                (ground.code, ground.label)
                for ground in Ground.objects.only("code", "label_fr", "label_en")
            ],
        ]
        self.fields["kind"].choices = [("", _("All procedures")), *ProcedureKind.choices]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("filed_from"), cleaned.get("filed_until")
        if start and end and start > end:
            self.add_error("filed_until", _("This date must not come before the first one."))
        return cleaned

    def queue_filters(self) -> QueueFilters:
        """The filters to apply; an invalid field is ignored (and shown with its error)."""
        data = {}
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the valid fields only
            data = self.cleaned_data
        return QueueFilters(
            status=data.get("status") or "",
            ground=data.get("ground") or "",
            kind=data.get("kind") or "",
            filed_from=data.get("filed_from"),
            filed_until=data.get("filed_until"),
            search=(data.get("search") or "").strip(),
            order=data.get("order") or ORDER_PRIORITY,
            scope=data.get("scope") or "",
        )


# --- Instruction ---------------------------------------------------------------------------------


class DocumentTypeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: DocumentType) -> str:
        return obj.label


class CorrectionRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What must be corrected or added"),
        help_text=_("The person reads this message as it is: use short, plain sentences."),
        widget=_textarea(),
    )
    document_types = DocumentTypeChoiceField(
        label=_("Documents asked for"),
        help_text=_("The person will have to add a new file for each document ticked."),
        queryset=DocumentType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateField(label=_("Answer before"), widget=_date_input())

    def __init__(self, *args, application: Application, **kwargs):
        kwargs.setdefault("prefix", "correction")
        super().__init__(*args, **kwargs)
        # Only pieces of this ground's checklist: those are the ones the person can add.
        self.fields["document_types"].queryset = DocumentType.objects.filter(
            requirements__ground_id=application.ground_id
        ).order_by("requirements__display_order", "code")
        self.fields["deadline"].initial = timezone.localdate() + datetime.timedelta(
            days=CORRECTION_DEFAULT_DAYS
        )


def _notification_channel_field() -> forms.ChoiceField:
    """How the decision reaches the person (issue 18): the remedies' time limits run from it."""
    return forms.ChoiceField(
        label=_("How the decision reaches the person"),
        help_text=_(
            "In the online account: an e-mail tells the person today, and today is recorded as "
            "the day of notification. By letter or by hand: record the day the person received "
            "it on this page afterwards."
        ),
        choices=NotificationChannel.choices,
        initial=NotificationChannel.PORTAL_EMAIL,
        # A browser always sends the selected option; a client that sends none gets the
        # online channel, the one every decision had before the field existed.
        required=False,
    )


class FavourableDecisionForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I have checked the documents and the person's other open applications, and I "
            "confirm the favourable decision."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "favourable")
        super().__init__(*args, **kwargs)
        self.fields["notification_channel"] = _notification_channel_field()

    def clean_notification_channel(self) -> str:
        return self.cleaned_data.get("notification_channel") or NotificationChannel.PORTAL_EMAIL


class DecisionReasonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DecisionReason) -> str:
        return obj.label


def _reason_field(kind: str) -> DecisionReasonChoiceField:
    return DecisionReasonChoiceField(
        label=_("Reason"),
        queryset=DecisionReason.objects.filter(kind=kind),
        to_field_name="code",
        empty_label=_("Choose a reason"),
    )


class DecisionReasonChooseForm(forms.Form):
    """GET form: choosing a reason reloads the page with its legal basis and remedies."""

    reason = forms.ModelChoiceField(queryset=DecisionReason.objects.none())

    def __init__(self, *args, kind: str, **kwargs):
        kwargs.setdefault("auto_id", "choose_%s")
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _reason_field(kind)


class ReasonedDecisionForm(forms.Form):
    """A refusal or a closure: reason, explanation, legal basis and remedies, all required."""

    reason = forms.ModelChoiceField(queryset=DecisionReason.objects.none())
    explanation = forms.CharField(
        label=_("Explanation"),
        help_text=_("Why this decision, for this person, in plain words."),
        widget=_textarea(5),
    )
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=255)
    remedies = forms.CharField(
        label=_("Remedies and their deadlines"),
        help_text=_("Pre-filled from the reason; adapt it if needed."),
        widget=_textarea(6),
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _reason_field(kind)
        if kind == DecisionKind.REFUSAL:
            # Issue 18: with an OQTF the remedies' limits are short and never computed for the
            # person; the agent must say which it is.
            self.fields["obligation_to_leave"] = forms.TypedChoiceField(
                label=_("Does the refusal come with an obligation to leave France (OQTF)?"),
                choices=[("", _("Choose")), ("no", _("No")), ("yes", _("Yes"))],
                coerce=lambda value: value == "yes",
            )
        self.fields["notification_channel"] = _notification_channel_field()

    def clean_notification_channel(self) -> str:
        return self.cleaned_data.get("notification_channel") or NotificationChannel.PORTAL_EMAIL
        # Keep the field order: reason first.
        self.order_fields(["reason", "explanation", "legal_basis", "remedies"])

    @staticmethod
    def initial_for(reason: DecisionReason | None, ground: Ground) -> dict[str, str]:
        """The reason's usual legal basis (citing the ground's article) and remedies, for the
        agent to review and edit."""
        if reason is None:
            return {}
        return {
            "reason": reason.code,
            "legal_basis": reason.legal_basis_for(ground),
            "remedies": reason.remedies,
        }


class NotificationRecordForm(forms.Form):
    """The day a decision sent by letter or handed over reached the person (issue 18)."""

    channel = forms.ChoiceField(label=_("How it reached the person"), choices=[])
    notified_on = forms.DateField(
        label=_("Day the person received it"),
        help_text=_("For a registered letter: the day on the acknowledgement of receipt."),
        widget=_date_input(),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "notification")
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = NotificationChannel.choices


class ObligationToLeaveForm(forms.Form):
    """After a refusal: whether it comes with an obligation to leave France (issue 18)."""

    obligation_to_leave = forms.TypedChoiceField(
        label=_("Does the refusal come with an obligation to leave France (OQTF)?"),
        choices=[("", _("Choose")), ("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda value: value == "yes",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "oqtf")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_decision(cls, application) -> "ObligationToLeaveForm":
        """The form showing what is recorded (nothing chosen when it is not)."""
        answer = {True: "yes", False: "no"}.get(application.decision_obligation_to_leave, "")
        return cls(initial={"obligation_to_leave": answer})


class CardHandedOverForm(forms.Form):
    card_number = forms.CharField(label=_("Card number"), max_length=30)
    valid_from = forms.DateField(label=_("Valid from"), widget=_date_input())
    valid_until = forms.DateField(label=_("Valid until"), widget=_date_input())
    handed_over_on = forms.DateField(label=_("Handed over on"), widget=_date_input())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "handover")
        super().__init__(*args, **kwargs)
        self.fields["handed_over_on"].initial = timezone.localdate()


# --- Error reports and identity ------------------------------------------------------------------


class ErrorReportAcceptForm(forms.Form):
    note = forms.CharField(
        label=_("Answer to the person"),
        help_text=_("What was corrected. The person reads it."),
        required=False,
        widget=_textarea(3),
    )
    handed_over_on = forms.DateField(
        label=_("Date the previous card was handed over"),
        help_text=_("Leave empty to use the first day of the card's validity."),
        required=False,
        widget=_date_input(),
    )
    reopen = forms.BooleanField(
        label=_("Re-open the refused or closed decision, to decide again"),
        required=False,
    )

    def __init__(self, *args, report: ErrorReport, can_reopen: bool, **kwargs):
        kwargs.setdefault("prefix", f"accept-{report.pk}")
        super().__init__(*args, **kwargs)
        if report.category != ErrorReportCategory.PREVIOUS_CARD_HANDOVER:
            del self.fields["handed_over_on"]
        if not can_reopen:
            del self.fields["reopen"]


class ErrorReportRejectForm(forms.Form):
    note = forms.CharField(
        label=_("Why the report is rejected"),
        help_text=_("The person reads this answer: say what they can do next."),
        widget=_textarea(3),
    )

    def __init__(self, *args, report: ErrorReport, **kwargs):
        kwargs.setdefault("prefix", f"reject-{report.pk}")
        super().__init__(*args, **kwargs)


class ForeignerNumberForm(forms.Form):
    number = forms.CharField(
        label=_("Foreigner number (AGDREF)"),
        help_text=_("10 digits"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "foreigner-number")
        super().__init__(*args, **kwargs)
