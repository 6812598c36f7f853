"""Retention of the documents of decided dossiers (issue 8, personal data; RGPD art. 5-1-e).

Once a dossier's outcome is final (card handed over, refusal, closure, withdrawal), the identity
and supporting documents sent with it are kept `DOCUMENT_RETENTION_DAYS` days, then deleted. The
person is told `DOCUMENT_RETENTION_WARNING_DAYS` days before, by e-mail and in the timeline, so
they can download a copy; the rule (`applications.rules.document_retention_action`) never lets a
deletion happen without that warning, and a late warning postpones the deletion.

What is deleted is the stored file only. The `Document` row stays as a tombstone (type, date of
upload, size, SHA-256, `purged_at`) so the dossier still says what was given and when. Decisions
and attestations are not documents here and are never deleted by this module.

Beat runs `documents_retention` daily (applications.tasks); `manage.py purge_documents` does the
same on demand, with `--dry-run`. Each dossier is handled in its own transaction under a row
lock, and the rule is evaluated again on the locked row: two runs at once, or a second run, do
nothing more. The files are deleted inside that transaction, after the rows are updated: if the
storage refuses, the transaction rolls back and the next run tries again, so a row never says
"deleted" while its file is still stored. A file already missing from storage is not an error.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anef.audit import audit_action
from anef.emails import EMAIL_LANGUAGES, bilingual_message
from anef.outbox import enqueue_email
from applications.enums import ApplicationStatus, ErrorReportStatus, EventKind
from applications.models import Application, Document, ErrorReport, Event
from applications.rules import (
    RetentionAction,
    document_retention_action,
    retention_final_since,
    retention_purge_on,
)

logger = logging.getLogger(__name__)

EMAIL_TEMPLATE = "emails/retention_warning.txt"


@dataclass(frozen=True)
class RetentionReport:
    """What a run did (or, in a dry run, would do)."""

    warned: int = 0
    purged_applications: int = 0
    purged_documents: int = 0


# --- Reads --------------------------------------------------------------------------------------


def _local_date(moment) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def application_final_since(application: Application) -> date | None:
    """The day the dossier's outcome became final, from which the retention period runs."""
    return retention_final_since(
        status=application.status,
        decided_on=_local_date(application.decided_at),
        card_handed_over_on=application.card_handed_over_on,
        withdrawn_on=_local_date(application.withdrawn_at),
    )


def application_retention_action(
    application: Application, today: date, *, record_disputed: bool
) -> RetentionAction:
    return document_retention_action(
        final_since=application_final_since(application),
        warned_on=_local_date(application.documents_retention_warned_at),
        today=today,
        retention_days=settings.DOCUMENT_RETENTION_DAYS,
        warning_days=settings.DOCUMENT_RETENTION_WARNING_DAYS,
        record_disputed=record_disputed,
    )


def _kept_documents(application: Application) -> QuerySet[Document]:
    return Document.objects.filter(application=application, purged_at__isnull=True)


def _disputed(application: Application) -> bool:
    return ErrorReport.objects.filter(
        application=application, status=ErrorReportStatus.OPEN
    ).exists()


def retention_candidates(today: date) -> QuerySet[Application]:
    """Dossiers whose outcome became final long enough ago that a warning or a deletion may be
    due today, and which still hold at least one stored document, with `record_disputed` (an
    open error report) annotated. A pre-selection in SQL: the rule decides for each."""
    final_by = today - timedelta(
        days=settings.DOCUMENT_RETENTION_DAYS - settings.DOCUMENT_RETENTION_WARNING_DAYS
    )
    return (
        Application.objects.filter(
            Q(
                status__in=[ApplicationStatus.UNFAVOURABLE, ApplicationStatus.CLOSED],
                decided_at__date__lte=final_by,
            )
            | Q(
                status=ApplicationStatus.CLOSED_CARD_HANDED_OVER,
                card_handed_over_on__lte=final_by,
            )
            | Q(status=ApplicationStatus.WITHDRAWN, withdrawn_at__date__lte=final_by)
        )
        .filter(Exists(Document.objects.filter(application=OuterRef("pk"), purged_at__isnull=True)))
        .annotate(
            record_disputed=Exists(
                ErrorReport.objects.filter(
                    application=OuterRef("pk"), status=ErrorReportStatus.OPEN
                )
            )
        )
        .order_by("pk")
    )


def _due(today: date, action: RetentionAction) -> list[int]:
    """Ids of the dossiers for which `action` is due today (a first, lock-free pass)."""
    return [
        application.pk
        for application in retention_candidates(today)
        .only(
            "pk",
            "status",
            "decided_at",
            "card_handed_over_on",
            "withdrawn_at",
            "documents_retention_warned_at",
        )
        .iterator(chunk_size=2000)
        if application_retention_action(
            application, today, record_disputed=application.record_disputed
        )
        == action
    ]


def _moment(today: date) -> datetime:
    """The time recorded for a run on `today`: now, or the same time of day on `today` when
    the command is run for another day (`--today`), so that the rule reads back that day."""
    now = timezone.localtime()
    if now.date() == today:
        return now
    return timezone.make_aware(datetime.combine(today, now.time().replace(tzinfo=None)))


def _each_locked(
    pks: list[int], today: date, action: RetentionAction, work: Callable[[Application, date], int]
) -> int:
    """Run `work(application, today)` for each dossier, locked, in its own transaction, if the
    rule still says `action` once locked. One failure is logged and does not stop the others."""
    done = 0
    for pk in pks:
        try:
            with transaction.atomic():
                application = (
                    Application.objects.select_for_update(of=("self",))
                    .select_related("applicant", "ground")
                    .filter(pk=pk)
                    .first()
                )
                if application is None or not _kept_documents(application).exists():
                    continue
                if (
                    application_retention_action(
                        application, today, record_disputed=_disputed(application)
                    )
                    != action
                ):
                    continue
                done += work(application, today)
        except Exception:
            logger.exception("Retention: %s of application %s failed; retried next run", action, pk)
    return done


# --- Warning ------------------------------------------------------------------------------------


def _warning_message(application: Application, purge_on: date, count: int) -> EmailMessage:
    person = application.applicant
    context = {
        "name": person.get_full_name() or person.email,
        "reference": application.reference,
        "ground": application.ground,
        "purge_on": purge_on,
        "count": count,
        "url": settings.SITE_URL
        + reverse("portal:application_detail", args=[application.reference]),
        "contact_phone": settings.CONTACT_PHONE,
    }
    return bilingual_message(
        to=[person.email],
        subject=lambda: _("The documents of your application will be deleted"),
        template=EMAIL_TEMPLATE,
        context=context,
    )


def _warn(application: Application, today: date) -> int:
    final_since = application_final_since(application)
    # The later of the end of the period and WARNING_DAYS from today: the rule postpones the
    # deletion of a dossier warned late, and the person is told the real date.
    purge_on = max(
        retention_purge_on(final_since, settings.DOCUMENT_RETENTION_DAYS),
        today + timedelta(days=settings.DOCUMENT_RETENTION_WARNING_DAYS),
    )
    count = _kept_documents(application).count()
    moment = _moment(today)
    application.documents_retention_warned_at = moment
    application.save(update_fields=["documents_retention_warned_at"])
    Event.objects.create(
        application=application,
        kind=EventKind.DOCUMENTS_RETENTION_WARNING,
        params={"purge_on": purge_on.isoformat(), "count": count},
        created_at=moment,
    )
    audit_action(
        instance=application,
        actor=None,
        action="documents_retention_warned",
        details={"purge_on": purge_on.isoformat(), "documents": count},
    )
    # Written to the outbox in the same transaction: the warning is recorded if and only if its
    # e-mail is on its way, and the outbox tries again while the mail server refuses it.
    if application.applicant.email:
        enqueue_email(
            _warning_message(application, purge_on, count),
            idempotency_key=f"retention-warning:{application.pk}:{moment.isoformat()}",
            language="+".join(EMAIL_LANGUAGES),
            person=application.applicant,
        )
    else:
        logger.info(
            "Application %s: person without e-mail, warned in the timeline only",
            application.reference,
        )
    return 1


def retention_warn_due(today: date | None = None, *, dry_run: bool = False) -> int:
    """Tell each person, once, that the documents of a finished dossier will be deleted.
    Returns the number of dossiers warned (or that would be, in a dry run)."""
    today = today or timezone.localdate()
    pks = _due(today, RetentionAction.WARN)
    if dry_run:
        return len(pks)
    return _each_locked(pks, today, RetentionAction.WARN, _warn)


# --- Deletion -----------------------------------------------------------------------------------


def _purge(application: Application, today: date) -> int:
    documents = list(
        _kept_documents(application).select_for_update().select_related("document_type")
    )
    moment = _moment(today)
    stored: list[tuple] = []
    for document in documents:
        stored.append((document.file.storage, document.file.name))
        document.file = ""
        document.purged_at = moment
        document.save(update_fields=["file", "purged_at"])
    Event.objects.create(
        application=application,
        kind=EventKind.DOCUMENTS_PURGED,
        params={"count": len(documents)},
        created_at=moment,
    )
    audit_action(
        instance=application,
        actor=None,
        action="documents_purged",
        details={
            "retention_days": settings.DOCUMENT_RETENTION_DAYS,
            "documents": [
                {
                    "id": document.pk,
                    "type": document.document_type.code,
                    "uploaded_at": document.uploaded_at.isoformat(),
                    "sha256": document.sha256,
                }
                for document in documents
            ],
        },
    )
    # Last, inside the transaction (see the module docstring): a storage error rolls the rows
    # back. Deleting a key that is already gone is not an error (FileSystemStorage and S3).
    for storage, key in stored:
        if not key:
            continue
        try:
            storage.delete(key)
        except FileNotFoundError:
            logger.info("Document file %s was already missing from storage", key)
    return len(documents)


@dataclass(frozen=True)
class PurgeCount:
    applications: int
    documents: int


def retention_purge_due(today: date | None = None, *, dry_run: bool = False) -> PurgeCount:
    """Delete the stored files of the documents of each dossier whose retention period is over
    and whose person was warned in time; keep their rows as tombstones. Idempotent."""
    today = today or timezone.localdate()
    pks = _due(today, RetentionAction.PURGE)
    if dry_run:
        documents = Document.objects.filter(application_id__in=pks, purged_at__isnull=True)
        return PurgeCount(applications=len(pks), documents=documents.count())
    counts: list[int] = []

    def purge_one(application: Application, day: date) -> int:
        counts.append(_purge(application, day))
        return 1

    applications = _each_locked(pks, today, RetentionAction.PURGE, purge_one)
    return PurgeCount(applications=applications, documents=sum(counts))


def retention_run(today: date | None = None, *, dry_run: bool = False) -> RetentionReport:
    """The daily run (beat, `manage.py purge_documents`): warn what is due, then delete what is
    due. A dossier warned today is never deleted today (the warning period is not over)."""
    today = today or timezone.localdate()
    warned = retention_warn_due(today, dry_run=dry_run)
    purged = retention_purge_due(today, dry_run=dry_run)
    return RetentionReport(
        warned=warned,
        purged_applications=purged.applications,
        purged_documents=purged.documents,
    )
