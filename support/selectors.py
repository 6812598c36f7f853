"""Reads of the contact centre, already scoped to who asks (CONVENTIONS.md).

- contact-centre agents see every ticket (one national contact centre);
- a prefecture agent sees only the tickets sent to their prefecture;
- an applicant or a helper sees the tickets they opened;
- a person without an account sees one ticket, through its private link.
Internal notes are filtered here, once, for everything the person reads (pages, API).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import ApplicantProfile, User
from accounts.permissions import can_use_back_office, can_use_portal, is_contact_centre_agent
from applications.models import Application
from support import rules
from support.enums import (
    OPEN_RECOVERY_STATUSES,
    MessageKind,
    RecoveryStatus,
    TicketCategory,
    TicketStatus,
)
from support.models import (
    AccountRecovery,
    PersonalDataAccess,
    SavedAnswer,
    Ticket,
    TicketAttachment,
    TicketMessage,
    token_hash,
)
from support.workflow import LIVE_STATES

FIGURES_WINDOW_DAYS = 90


# --- Scoping ------------------------------------------------------------------------------------


def ticket_list_for_console(user) -> QuerySet[Ticket]:
    if not is_contact_centre_agent(user):
        return Ticket.objects.none()
    return Ticket.objects.select_related("assignee", "prefecture")


def ticket_list_for_prefecture(user) -> QuerySet[Ticket]:
    """Tickets sent to the agent's prefecture (still escalated first, then the others)."""
    if not can_use_back_office(user):
        return Ticket.objects.none()
    return Ticket.objects.filter(
        prefecture_id=user.prefecture_id, escalated_to_prefecture_at__isnull=False
    ).select_related("application", "prefecture")


def ticket_list_for_requester(user) -> QuerySet[Ticket]:
    if not can_use_portal(user):
        return Ticket.objects.none()
    return Ticket.objects.filter(requester=user).select_related(
        "application", "acknowledgement", "substitution_case"
    )


def ticket_get_by_token(token: str) -> Ticket | None:
    """The one ticket a private link opens, or None."""
    if not token or len(token) > 100:
        return None
    return (
        Ticket.objects.select_related("acknowledgement", "substitution_case", "prefecture")
        .filter(follow_up_token_hash=token_hash(token))
        .first()
    )


def _attachments() -> Prefetch:
    return Prefetch("attachments", queryset=TicketAttachment.objects.order_by("pk"))


def ticket_thread_public(ticket: Ticket) -> list[TicketMessage]:
    """What the person reads: public messages only, never an internal note."""
    return list(
        ticket.messages.filter(kind=MessageKind.REPLY)
        .select_related("author")
        .prefetch_related(_attachments())
    )


def ticket_thread_staff(ticket: Ticket) -> list[TicketMessage]:
    return list(ticket.messages.select_related("author").prefetch_related(_attachments()))


def attachment_get_public(ticket: Ticket, pk: int) -> TicketAttachment | None:
    return TicketAttachment.objects.filter(
        pk=pk, message__ticket=ticket, message__kind=MessageKind.REPLY
    ).first()


def attachment_get_staff(ticket: Ticket, pk: int) -> TicketAttachment | None:
    return TicketAttachment.objects.filter(pk=pk, message__ticket=ticket).first()


# --- The console's queues ------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketFilters:
    search: str = ""
    status: str = ""  # "" = every live status; "all" = every status
    category: str = ""
    assignee: str = ""  # "" any, "me", "unassigned"
    overdue: bool = False


def _overdue_q(now: datetime) -> Q:
    return Q(status__in=LIVE_STATES) & (
        Q(first_responded_at__isnull=True, first_response_due_at__lt=now)
        | Q(resolved_at__isnull=True, resolution_due_at__lt=now, sla_paused_at__isnull=True)
    )


def ticket_queue(user, filters: TicketFilters, now: datetime | None = None) -> QuerySet[Ticket]:
    """The console's list: filtered, most urgent first, in a constant number of queries."""
    now = now or timezone.now()
    queryset = ticket_list_for_console(user)
    if filters.status == "all":
        pass
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    else:
        queryset = queryset.filter(status__in=LIVE_STATES)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.assignee == "me":
        queryset = queryset.filter(assignee=user)
    elif filters.assignee == "unassigned":
        queryset = queryset.filter(assignee__isnull=True)
    if filters.overdue:
        queryset = queryset.filter(_overdue_q(now))
    term = filters.search.strip()
    if term:
        digits = term.replace(" ", "")
        queryset = queryset.filter(
            Q(number__iexact=term)
            | Q(name__icontains=term)
            | Q(email__iexact=term)
            | (Q(foreigner_number=digits) if digits.isdigit() else Q(pk__in=[]))
        )
    return queryset.order_by("-priority", "first_response_due_at", "pk")


@dataclass
class QueueFigures:
    category: str
    label: str
    by_status: dict[str, int] = field(default_factory=dict)
    open: int = 0
    overdue: int = 0
    median_first_response_hours: float | None = None


def queue_figures(now: datetime | None = None) -> list[QueueFigures]:
    """Per category: tickets in each status, open ones, late ones, and the median working time
    to the first answer over the last 90 days. Two queries whatever the number of tickets."""
    now = now or timezone.now()
    figures = {
        category: QueueFigures(category=category, label=str(label))
        for category, label in TicketCategory.choices
    }
    rows = (
        Ticket.objects.values("category", "status")
        .annotate(count=Count("pk"), late=Count("pk", filter=_overdue_q(now)))
        .order_by()
    )
    for row in rows:
        figure = figures[row["category"]]
        figure.by_status[row["status"]] = row["count"]
        if row["status"] in LIVE_STATES:
            figure.open += row["count"]
        figure.overdue += row["late"]
    responded = (
        Ticket.objects.filter(
            first_responded_at__isnull=False,
            created_at__gte=now - timedelta(days=FIGURES_WINDOW_DAYS),
        )
        .values_list("category", "created_at", "first_responded_at")
        .order_by()
    )
    pairs: dict[str, list] = {}
    for category, created_at, responded_at in responded:
        pairs.setdefault(category, []).append((created_at, responded_at))
    from support.services import working_calendar

    calendar = working_calendar()
    for category, category_pairs in pairs.items():
        figures[category].median_first_response_hours = rules.median_working_hours(
            category_pairs, calendar
        )
    return list(figures.values())


STATUS_COLUMNS = [(status, label) for status, label in TicketStatus.choices]


# --- A person's record, as the contact centre may see it ------------------------------------------


@dataclass(frozen=True)
class PersonRecord:
    """Identity, contact and dossier statuses and dates: never a document (issue 5)."""

    user: User
    profile: ApplicantProfile | None
    applications: list[Application]


def person_record(person: User) -> PersonRecord:
    profile = ApplicantProfile.objects.filter(user=person).first()
    applications = list(
        Application.objects.filter(applicant=person)
        .select_related("ground", "prefecture")
        .only(
            "reference",
            "status",
            "kind",
            "created_at",
            "filed_at",
            "completed_at",
            "decided_at",
            "ground__label_fr",
            "ground__label_en",
            "prefecture__name",
            "prefecture__departement_code",
            "applicant_id",
        )
        .order_by("-created_at")
    )
    return PersonRecord(user=person, profile=profile, applications=applications)


def personal_data_access_list(person: User) -> QuerySet[PersonalDataAccess]:
    return PersonalDataAccess.objects.filter(person=person).select_related(
        "viewer__prefecture", "ticket", "application"
    )


def account_candidates(ticket: Ticket) -> QuerySet[User]:
    """Accounts that may be the person of a ticket (same e-mail or foreigner number), to check
    their identity before recovering the account. Only names and e-mails are listed."""
    condition = Q(pk__in=[])
    if ticket.email:
        condition |= Q(email__iexact=ticket.email)
    if ticket.foreigner_number:
        condition |= Q(applicant_profile__foreigner_number=ticket.foreigner_number)
    return User.objects.filter(condition).only("pk", "email", "first_name", "last_name", "role")


def saved_answer_list(*, active_only: bool = True) -> QuerySet[SavedAnswer]:
    queryset = SavedAnswer.objects.all()
    return queryset.filter(active=True) if active_only else queryset


def contact_centre_agents() -> QuerySet[User]:
    from accounts.enums import Role

    return User.objects.filter(role=Role.CONTACT_CENTRE_AGENT, is_active=True).order_by(
        "last_name", "first_name", "email"
    )


# --- Account recovery (issue 15) ----------------------------------------------------------------

# After a recovery, the person's documents and new share codes are held this long.
RECOVERY_HOLD = timedelta(hours=72)


def recovery_hold_until(user, now: datetime | None = None) -> datetime | None:
    """The one rule of the hold after an account recovery: until when `user`'s own uploaded
    documents (identity, supporting, error-report evidence) may not be downloaded nor new share
    codes created — None when there is no hold. Attestations are not held (the person may need
    them for work). A stopped recovery keeps its hold (the account is locked anyway)."""
    if not getattr(user, "is_authenticated", False):
        return None
    now = now or timezone.now()
    last = AccountRecovery.objects.filter(
        person=user,
        status__in=(RecoveryStatus.APPROVED, RecoveryStatus.STOPPED),
        decided_at__gt=now - RECOVERY_HOLD,
    ).aggregate(last=Max("decided_at"))["last"]
    return last + RECOVERY_HOLD if last is not None else None


def recovery_awaiting_confirmation(user) -> AccountRecovery | None:
    """The latest approved recovery the person has not confirmed yet, while it is held."""
    if recovery_hold_until(user) is None:
        return None
    return (
        AccountRecovery.objects.filter(
            person=user, status=RecoveryStatus.APPROVED, person_confirmed_at__isnull=True
        )
        .order_by("-decided_at")
        .first()
    )


def recovery_list_for_ticket(ticket: Ticket) -> list[AccountRecovery]:
    return list(
        AccountRecovery.objects.filter(ticket=ticket).select_related(
            "person", "requested_by", "facts_checked_by", "desk_checked_by", "decided_by"
        )
    )


def recovery_queue() -> QuerySet[AccountRecovery]:
    """Recoveries waiting (for a desk check or a supervisor), oldest first."""
    return (
        AccountRecovery.objects.filter(
            status__in=OPEN_RECOVERY_STATUSES, expires_at__gt=timezone.now()
        )
        .select_related("ticket", "person", "requested_by", "facts_checked_by", "desk_checked_by")
        .order_by("requested_at", "pk")
    )


def recovery_get_for_desk(reference: str) -> AccountRecovery | None:
    """A prefecture agent finds a recovery waiting for a desk check by the reference the person
    brings; nothing else is found (an approved or closed one is no one's business at the desk)."""
    reference = "".join((reference or "").split()).upper()
    if not reference:
        return None
    return (
        AccountRecovery.objects.filter(
            reference=reference,
            status=RecoveryStatus.AWAITING_DESK_CHECK,
            expires_at__gt=timezone.now(),
        )
        .select_related("person__applicant_profile", "ticket")
        .first()
    )


def recovery_hold_message(held_until: datetime) -> str:
    """The plain reason shown wherever the hold refuses something (pages, API, share codes)."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    return _(
        "For your safety, after the recent recovery of your account by the contact centre, your "
        "documents cannot be downloaded and no new share code can be created until %(until)s. "
        "Your attestations stay available."
    ) % {"until": date_format(timezone.localtime(held_until), "DATETIME_FORMAT")}


def callback_queue(user) -> list:
    """The scheduled callbacks in due order, with the person's dossiers beside (reference and
    status only: the contact centre never sees a document); a fixed number of queries."""
    from support.enums import CallbackStatus
    from support.models import Callback

    if not is_contact_centre_agent(user):
        return []
    dossiers = Application.objects.only("id", "reference", "status", "applicant_id").order_by(
        "-created_at"
    )
    return list(
        Callback.objects.filter(status=CallbackStatus.SCHEDULED)
        .select_related("ticket__person")
        .prefetch_related(Prefetch("ticket__person__applications", queryset=dossiers))
        .order_by("starts_at", "pk")
    )
