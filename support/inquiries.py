"""The automatic inquiry (issue 21): a dossier that takes much longer than most.

The upper bound a person is shown on their dossier — « most decisions come between <date> and
<latest> » — is the dossier's completion date plus the 80th percentile of the days from
completion to decision at its prefecture, on its ground (`applications.processing_times`, the
one definition, also on the public page and in the agents' statistics). From the
`rules.INQUIRY_DAYS_OVER`-th day after <latest>, the contact centre asks the prefecture: a
ticket of the reserved category « Processing takes longer than most », sent to the prefecture,
with a note naming the agent the dossier is assigned to (`applications.workbench` Assignment),
or the prefecture's team when nobody is. The person sees « We asked the prefecture about your
application on <date> » on their dossier (`inquiry_panel`).

Once per dossier: `DossierInquiry` is unique per application, so a second run, or two workers at
once, open nothing more (the loser's ticket is rolled back with its savepoint).

When the prefecture has too few recent decisions on the ground for a figure (« not enough data
yet »), the person is shown no upper bound, so no inquiry is opened: there is no published
promise to measure the dossier against.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.permissions import can_use_portal
from anef.audit import audit_action
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.processing_times import application_decision_window, prefecture_processing_times
from applications.selectors import application_list_visible_to
from support import rules
from support.enums import AuthorSide, MessageKind, TicketCategory, TicketChannel, TicketEventKind
from support.models import DossierInquiry, TicketMessage
from support.services import _transition, ticket_open

BATCH_SIZE = 100
PANEL = "support_inquiry"


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _awaiting() -> Q:
    """Complete dossiers awaiting their decision, not yet asked about."""
    return Q(
        status=ApplicationStatus.COMPLETE,
        completed_at__isnull=False,
        support_inquiry__isnull=True,
    )


def _overdue_q(prefecture_id: int, today: date) -> Q | None:
    """Per ground with a figure: completed on or before today − p80 − 30 days (a local date).
    None when no ground of this prefecture has enough decisions."""
    times = prefecture_processing_times(prefecture_id, today=today)
    condition = Q(pk__in=[])
    found = False
    for ground_id, ground_times in times.by_ground.items():
        if ground_times.figures is None:
            continue  # not enough data yet: nothing shown, nothing to measure against
        last_day = today - timedelta(days=ground_times.figures.p80_days + rules.INQUIRY_DAYS_OVER)
        condition |= Q(ground_id=ground_id, completed_at__lt=_day_start(last_day + timedelta(1)))
        found = True
    return condition if found else None


def _body(application: Application, latest: date, today: date) -> str:
    """For the prefecture, in the administration's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Automatic inquiry: application %(reference)s has been complete since %(complete)s. "
            "Most decisions on this ground at this prefecture come by %(latest)s; it is %(days)s "
            "days past that date. Please check where it stands and answer the person here."
        ) % {
            "reference": application.reference,
            "complete": date_format(timezone.localdate(application.completed_at), "DATE_FORMAT"),
            "latest": date_format(latest, "DATE_FORMAT"),
            "days": (today - latest).days,
        }


def _routing_note(application: Application) -> str:
    assignment = getattr(application, "assignment", None)
    with translation.override(settings.LANGUAGE_CODE):
        if assignment is None:
            return _("For the prefecture's team: nobody is assigned to this application.")
        agent = assignment.agent
        return _("For %(agent)s, who is assigned to this application.") % {
            "agent": agent.get_full_name() or agent.email
        }


def inquiry_open(application: Application, *, today: date | None = None) -> DossierInquiry | None:
    """Ask the prefecture about `application` if it is due (see the module's docstring); None
    when it is not due or was already asked about (by this run, an earlier one or another
    worker at the same time)."""
    today = today or timezone.localdate()
    window = application_decision_window(application, today=today)
    if window is None or not rules.inquiry_due(window.latest, today):
        return None
    applicant = application.applicant
    assignment = getattr(application, "assignment", None)
    try:
        with transaction.atomic():
            ticket, _secret = ticket_open(
                channel=TicketChannel.AUTOMATIC,
                category=TicketCategory.PROCESSING_DELAY,
                body=_body(application, window.latest, today),
                name=applicant.get_full_name() or applicant.email,
                email=applicant.email,  # the prefecture's answer reaches the person
                person=applicant,
                application=application,
                acknowledge=False,  # the person reads it on their dossier
            )
            TicketMessage.objects.create(
                ticket=ticket,
                kind=MessageKind.NOTE,
                side=AuthorSide.CONTACT_CENTRE,
                body=_routing_note(application),
            )
            _transition(
                ticket,
                action="escalate",
                actor=None,
                event=TicketEventKind.ESCALATED_TO_PREFECTURE,
                fields={"escalated_to_prefecture_at": timezone.now()},
                prefecture=application.prefecture.name,
            )
            inquiry = DossierInquiry.objects.create(
                application=application,
                ticket=ticket,
                addressed_to=assignment.agent if assignment is not None else None,
                latest_expected_on=window.latest,
            )
            audit_action(
                instance=inquiry,
                actor=None,
                action="dossier_inquiry_open",
                details={"application": application.reference, "ticket": ticket.number},
            )
    except IntegrityError:
        if DossierInquiry.objects.filter(application=application).exists():
            return None  # asked about already: the database kept the first one
        raise
    return inquiry


def inquiries_open_due(*, today: date | None = None, batch_size: int = BATCH_SIZE) -> int:
    """The daily sweep: open the inquiries due today; returns how many were opened.

    Per prefecture, the figures come from the day's cache; the dossiers past the bound are
    read in batches of `batch_size` (one query a batch, with their applicant, prefecture and
    assignment); each inquiry opened then writes its own rows."""
    today = today or timezone.localdate()
    opened = 0
    prefecture_ids = (
        Application.objects.filter(_awaiting())
        .order_by("prefecture_id")
        .values_list("prefecture_id", flat=True)
        .distinct()
    )
    for prefecture_id in list(prefecture_ids):
        overdue = _overdue_q(prefecture_id, today)
        if overdue is None:
            continue
        queryset = (
            Application.objects.filter(_awaiting(), overdue, prefecture_id=prefecture_id)
            .select_related("applicant", "prefecture", "assignment__agent")
            .order_by("pk")
        )
        last_pk = 0
        while True:
            batch = list(queryset.filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            last_pk = batch[-1].pk
            for application in batch:
                opened += inquiry_open(application, today=today) is not None
    return opened


# --- On the person's dossier -------------------------------------------------------------------


def inquiry_panel(user, application: Application) -> dict:
    """`applications.hooks.portal_dossier_panels`: the day the prefecture was asked, for the
    person (or their helper under a mandate) only; one query."""
    if not can_use_portal(user):
        return {"dossier_inquiry": None}
    visible = application_list_visible_to(user).filter(pk=application.pk).values("pk")
    inquiry = DossierInquiry.objects.filter(application_id__in=visible).only("opened_at").first()
    return {"dossier_inquiry": inquiry}
