"""Plain-language texts of the timeline and of each status, rendered in the reader's language.

Events store a kind and parameters; the sentence is built here at display time, so that the
person reads their timeline in the language they chose today.

A timeline has two audiences (issue 18). The applicant, and a helper acting for them, read it in
the second person (« You started… »). Prefecture agents read the same events in the third person,
naming the role of whoever acted (« The applicant started… », « An agent asked… »): on their
dossier page « you » would be the agent.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import Role
from applications.enums import (
    ApplicationStatus,
    ErrorReportCategory,
    EventKind,
    NotificationChannel,
)
from applications.models import Event
from reference.models import DocumentType

_EVENT_TEXTS = {
    EventKind.CREATED: gettext_lazy("You started this application."),
    EventKind.SUBMITTED: gettext_lazy("The application was submitted to the prefecture."),
    EventKind.DEPOSIT_RECEIPT: gettext_lazy(
        "Deposit receipt issued. It proves the date of your application; it does not by itself "
        "prove that you may stay in France."
    ),
    EventKind.DOCUMENT_ADDED: gettext_lazy("Document added: %(document)s (%(name)s)."),
    EventKind.DOCUMENT_REMOVED: gettext_lazy("Document removed: %(document)s (%(name)s)."),
    EventKind.CORRECTION_REQUESTED: gettext_lazy(
        "The prefecture asks you for a correction before %(deadline)s: %(message)s"
    ),
    EventKind.CORRECTION_ANSWERED: gettext_lazy("You sent the correction."),
    EventKind.COMPLETE: gettext_lazy("The prefecture says your application is complete."),
    EventKind.DECIDED_FAVOURABLE: gettext_lazy("Favourable decision: your card will be made."),
    EventKind.DECIDED_UNFAVOURABLE: gettext_lazy(
        "The prefecture refused the application. The reasons and your remedies are shown above."
    ),
    EventKind.CLOSED: gettext_lazy(
        "The prefecture closed the application. The reasons and your remedies are shown above."
    ),
    EventKind.DECISION_NOTIFIED: gettext_lazy(
        "The decision was notified to you on %(notified_on)s (%(channel)s). The time limits "
        "to challenge it start on that day."
    ),
    # Recorded after the refusal (issue 18); one sentence for each answer.
    EventKind.OBLIGATION_TO_LEAVE_RECORDED: {
        True: gettext_lazy(
            "The prefecture recorded that its refusal comes with an obligation to leave France "
            "(OQTF). The time limits to challenge it are shorter: read them in the decision."
        ),
        False: gettext_lazy(
            "The prefecture recorded that its refusal does not come with an obligation to leave "
            "France: the date before which you can challenge it is shown above."
        ),
    },
    EventKind.CARD_AVAILABLE: gettext_lazy(
        "Your card is ready: make an appointment to collect it."
    ),
    EventKind.CARD_HANDED_OVER: gettext_lazy("Your card %(card_number)s was handed over to you."),
    EventKind.WITHDRAWN: gettext_lazy("The application was withdrawn."),
    EventKind.REOPENED: gettext_lazy(
        "The application was re-opened after checking your report. A new decision will be taken."
    ),
    EventKind.ERROR_REPORTED: gettext_lazy("You reported an error: %(category)s."),
    EventKind.ERROR_REPORT_ACCEPTED: gettext_lazy(
        "Your error report was accepted and the record corrected."
    ),
    EventKind.ERROR_REPORT_REJECTED: gettext_lazy(
        "Your error report was rejected. The answer is shown with the report."
    ),
    EventKind.ADDRESS_CHANGED: gettext_lazy("New address recorded: %(postal_code)s %(city)s."),
    EventKind.TRANSFERRED: gettext_lazy(
        "Because of your move, the application went from %(from_prefecture)s to %(to_prefecture)s."
    ),
    EventKind.FOREIGNER_NUMBER_ATTACHED: gettext_lazy("Your foreigner number was added."),
    EventKind.PERMIT_RECORD_CORRECTED: gettext_lazy(
        "The handover of your card %(number)s is now recorded (%(handed_over_on)s)."
    ),
    EventKind.DOCUMENTS_RETENTION_WARNING: gettext_lazy(
        "Your application is finished: the documents you sent with it (number of files: "
        "%(count)s) will be deleted on %(purge_on)s, at the end of the retention period. "
        "Download them before that date if you want to keep a copy. Decisions and "
        "attestations are kept."
    ),
    EventKind.DOCUMENTS_PURGED: gettext_lazy(
        "The retention period is over: the documents of this application were deleted "
        "(number of files: %(count)s). Decisions and attestations are kept."
    ),
    # The thread (applications/messages/): never the message's text, only that there is one.
    EventKind.MESSAGE_SENT: gettext_lazy("The prefecture sent you a message."),
    EventKind.MESSAGE_RECEIVED: gettext_lazy("You sent a message to the prefecture."),
}

# The same events done by a helper under a mandate: the person did not do them, and the
# timeline names the helper beside the sentence.
_EVENT_TEXTS_BY_HELPER = {
    EventKind.CREATED: gettext_lazy("The application was started."),
    EventKind.CORRECTION_ANSWERED: gettext_lazy("The correction was sent."),
    EventKind.ERROR_REPORTED: gettext_lazy("An error was reported: %(category)s."),
    EventKind.MESSAGE_RECEIVED: gettext_lazy("A message was sent to the prefecture."),
}


class Audience(StrEnum):
    """Who reads the timeline: the person (or their helper), or an agent of the administration."""

    APPLICANT = "applicant"
    AGENT = "agent"


# Third person, for agents. `%(actor)s` is the role of whoever acted (`_ACTOR_SUBJECTS`); events
# without an actor (sweeps of the retention period) are told without one.
_AGENT_EVENT_TEXTS = {
    EventKind.CREATED: gettext_lazy("%(actor)s started the application."),
    EventKind.DECISION_NOTIFIED: gettext_lazy(
        "%(actor)s recorded that the decision was notified on %(notified_on)s (%(channel)s)."
    ),
    EventKind.OBLIGATION_TO_LEAVE_RECORDED: {
        True: gettext_lazy(
            "%(actor)s recorded that the refusal comes with an obligation to leave France (OQTF)."
        ),
        False: gettext_lazy(
            "%(actor)s recorded that the refusal does not come with an obligation to leave France."
        ),
    },
    EventKind.SUBMITTED: gettext_lazy("%(actor)s submitted the application to the prefecture."),
    EventKind.DEPOSIT_RECEIPT: gettext_lazy("Deposit receipt issued to the applicant."),
    EventKind.DOCUMENT_ADDED: gettext_lazy("%(actor)s added a document: %(document)s (%(name)s)."),
    EventKind.DOCUMENT_REMOVED: gettext_lazy(
        "%(actor)s removed a document: %(document)s (%(name)s)."
    ),
    EventKind.CORRECTION_REQUESTED: gettext_lazy(
        "%(actor)s asked for a correction before %(deadline)s: %(message)s"
    ),
    EventKind.CORRECTION_ANSWERED: gettext_lazy("%(actor)s sent the correction."),
    EventKind.COMPLETE: gettext_lazy("%(actor)s declared the application complete."),
    EventKind.DECIDED_FAVOURABLE: gettext_lazy("%(actor)s recorded a favourable decision."),
    EventKind.DECIDED_UNFAVOURABLE: gettext_lazy("%(actor)s refused the application."),
    EventKind.CLOSED: gettext_lazy("%(actor)s closed the application."),
    EventKind.CARD_AVAILABLE: gettext_lazy("%(actor)s recorded that the card is ready."),
    EventKind.CARD_HANDED_OVER: gettext_lazy(
        "%(actor)s recorded the handover of card %(card_number)s."
    ),
    EventKind.WITHDRAWN: gettext_lazy("%(actor)s withdrew the application."),
    EventKind.REOPENED: gettext_lazy(
        "%(actor)s re-opened the application after checking an error report."
    ),
    EventKind.ERROR_REPORTED: gettext_lazy("%(actor)s reported an error: %(category)s."),
    EventKind.ERROR_REPORT_ACCEPTED: gettext_lazy(
        "%(actor)s accepted the error report and corrected the record."
    ),
    EventKind.ERROR_REPORT_REJECTED: gettext_lazy("%(actor)s rejected the error report."),
    EventKind.ADDRESS_CHANGED: gettext_lazy(
        "%(actor)s recorded a new address: %(postal_code)s %(city)s."
    ),
    EventKind.TRANSFERRED: gettext_lazy(
        "After the applicant's move, the application went from the %(from_prefecture)s to the "
        "%(to_prefecture)s."
    ),
    EventKind.FOREIGNER_NUMBER_ATTACHED: gettext_lazy("%(actor)s added the foreigner number."),
    EventKind.PERMIT_RECORD_CORRECTED: gettext_lazy(
        "%(actor)s recorded the handover of card %(number)s (%(handed_over_on)s)."
    ),
    EventKind.DOCUMENTS_RETENTION_WARNING: gettext_lazy(
        "The applicant was told that the documents of this finished application (number of "
        "files: %(count)s) will be deleted on %(purge_on)s."
    ),
    # Already written without « you ».
    EventKind.DOCUMENTS_PURGED: _EVENT_TEXTS[EventKind.DOCUMENTS_PURGED],
    # Neutral: the agents' timeline says that a message went or came, never what it says.
    EventKind.MESSAGE_SENT: gettext_lazy("Message sent."),
    EventKind.MESSAGE_RECEIVED: gettext_lazy("Message received."),
}

_ACTOR_SUBJECTS = {
    Role.APPLICANT: gettext_lazy("The applicant"),
    Role.HELPER: gettext_lazy("The applicant (through a helper)"),
    Role.PREFECTURE_AGENT: gettext_lazy("An agent"),
    Role.CONTACT_CENTRE_AGENT: gettext_lazy("A contact-centre agent"),
    Role.ADMINISTRATOR: gettext_lazy("An administrator"),
}
_NO_ACTOR_SUBJECT = gettext_lazy("The system")


def actor_subject(event) -> str:
    """Who acted, by role, in the third person (« An agent »): for the agents' timelines."""
    return str(_ACTOR_SUBJECTS.get(event.actor_role, _NO_ACTOR_SUBJECT))


def _template(event: Event, audience: Audience):
    if audience == Audience.AGENT:
        template = _AGENT_EVENT_TEXTS.get(event.kind)
    elif event.actor_role == Role.HELPER:
        template = _EVENT_TEXTS_BY_HELPER.get(event.kind, _EVENT_TEXTS.get(event.kind))
    else:
        template = _EVENT_TEXTS.get(event.kind)
    if isinstance(template, dict):  # a sentence for each answer, e.g. with or without an OQTF
        return template.get(event.params.get("obligation_to_leave"))
    return template


# Event parameters stored as ISO dates, shown in the reader's language.
_DATE_PARAMS = ("deadline", "handed_over_on", "purge_on", "notified_on")


def _format_date(iso: str) -> str:
    from datetime import date

    try:
        return date_format(date.fromisoformat(iso), "DATE_FORMAT")
    except (TypeError, ValueError):
        return iso


def event_text(
    event: Event,
    document_labels: dict[str, str] | None = None,
    *,
    audience: Audience = Audience.APPLICANT,
) -> str:
    params = dict(event.params)
    params["actor"] = actor_subject(event)
    for name in _DATE_PARAMS:
        if name in params:
            params[name] = _format_date(params[name])
    if "channel" in params:
        params["channel"] = str(
            dict(NotificationChannel.choices).get(params["channel"], params["channel"])
        )
    if "document_type" in params:
        labels = document_labels or {}
        params["document"] = labels.get(params["document_type"], params["document_type"])
    if "category" in params:
        params["category"] = str(
            dict(ErrorReportCategory.choices).get(params["category"], params["category"])
        )
    template = _template(event, audience)
    if template is None:
        return event.get_kind_display()
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return event.get_kind_display()


def timeline_entries(events, *, audience: Audience = Audience.APPLICANT) -> list[tuple[Event, str]]:
    """(event, sentence) pairs, with document labels read in one query."""
    events = list(events)
    codes = {event.params.get("document_type") for event in events} - {None}
    labels = {
        document_type.code: document_type.label
        for document_type in DocumentType.objects.filter(code__in=codes)
    }
    return [(event, event_text(event, labels, audience=audience)) for event in events]


@dataclass(frozen=True)
class StatusSummary:
    where: str
    next_step: str
    delay: str


def status_summary(status: str) -> StatusSummary:
    """Where the dossier is, what happens next, how long it should take — in one sentence each."""
    texts = {
        ApplicationStatus.DRAFT: (
            _("Your application is not sent yet."),
            _("Add the documents of the list, then press « Submit »."),
            _("Take the time you need: what you saved is kept."),
        ),
        ApplicationStatus.SUBMITTED: (
            _("Your application was sent to the prefecture."),
            _("An agent checks that it is complete."),
            _("This usually takes a few weeks."),
        ),
        ApplicationStatus.CORRECTION_REQUESTED: (
            _("The prefecture needs something from you."),
            _("Read the request below, add what is asked and send your answer."),
            _("Answer before the date shown, or your application may be closed."),
        ),
        ApplicationStatus.COMPLETE: (
            _("Your application is complete and being examined."),
            _("The prefecture will take a decision; you do not need to do anything."),
            # The dated estimate from recent decisions replaces this sentence on the dossier
            # page when there are enough of them (applications/processing_times.py).
            _("We do not have enough recent decisions at this prefecture to give dates yet."),
        ),
        ApplicationStatus.FAVOURABLE: (
            _("Good news: the decision is favourable."),
            _("Your card is being made; you will be told when it is ready."),
            _("This usually takes a few weeks."),
        ),
        ApplicationStatus.CARD_AVAILABLE: (
            _("Your card is ready."),
            _("Make an appointment at the prefecture to collect it."),
            _("Collect it as soon as you can."),
        ),
        ApplicationStatus.CLOSED_CARD_HANDED_OVER: (
            _("Your card was handed over to you: this application is finished."),
            _("Think of your renewal between 4 and 2 months before the card ends."),
            _("Nothing more to wait for."),
        ),
        ApplicationStatus.UNFAVOURABLE: (
            _("The prefecture refused the application."),
            _("Read the reasons and your remedies below. If the record is wrong, report it."),
            _("Challenging the decision has time limits: they are shown below."),
        ),
        ApplicationStatus.CLOSED: (
            _("The prefecture closed the application."),
            _("Read the reasons and your remedies below."),
            _("Challenging the decision has time limits: they are shown below."),
        ),
        ApplicationStatus.WITHDRAWN: (
            _("You withdrew this application."),
            _("You can start a new application at any time."),
            _("Nothing more to wait for."),
        ),
    }
    where, next_step, delay = texts[ApplicationStatus(status)]
    return StatusSummary(where, next_step, delay)
