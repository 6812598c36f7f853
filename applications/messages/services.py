"""Writes of the thread: posting a message, marking a thread read.

`message_post` runs in one transaction that locks the dossier row, checks who writes against the
dossier **as it is now** (a dossier moved to another prefecture is no longer its old agents'; a
mandate ended is no longer the helper's), stores the attachments through the one upload
pipeline (anef/uploads.py: same types, limits and rewriting as the dossier's documents), writes
the timeline event (its text says that a message went or came, never what it says), the audit
entry (length and number of files, never the text) and the e-mail to the other side in the
outbox (a link only, never the text). The files written are deleted again if it does not commit.
"""

from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.mandates import mandate_active_for, mandate_covers
from accounts.permissions import is_applicant, is_helper
from anef import generations, uploads
from anef.audit import audit_action
from anef.errors import DomainError
from anef.languages import person_language
from anef.outbox import enqueue_email
from anef.services import row_locked
from anef.transactions import atomic_with_files, file_written
from applications.enums import EventKind
from applications.messages.models import Message, MessageAttachment, MessageSide
from applications.messages.rules import BODY_MAX_LENGTH, body_problem, thread_open
from applications.models import Application, Assignment
from applications.services._core import _event
from applications.workbench.services import is_agent_of

EMAIL_TEMPLATE = "emails/message_waiting.txt"

_BODY_REFUSALS = {
    "empty": _("Write your message before sending it."),
    "too_long": _("A message has at most %(limit)s characters. Attach a document for more."),
    "control_character": _("The message contains characters that cannot be sent."),
}


# --- Who may write and read (the one place) ------------------------------------------------------


def side_of(user, application: Application) -> str | None:
    """The side of the thread `user` writes and reads on, or None: the person and a helper
    whose mandate in force covers the dossier's ground (accounts.mandates) are the applicant's
    side; an active agent of the dossier's prefecture is the prefecture's."""
    if is_applicant(user) and application.applicant_id == user.pk:
        return MessageSide.APPLICANT
    if is_helper(user):
        mandate = mandate_active_for(user, application.applicant_id)
        if mandate is not None and mandate_covers(mandate, application.ground_id):
            return MessageSide.APPLICANT
        return None
    if is_agent_of(user, application):
        return MessageSide.PREFECTURE
    return None


def _refuse_unless_party(user, application: Application) -> str:
    side = side_of(user, application)
    if side is None:
        raise DomainError("not_yours", _("Only the person and the prefecture may write here."))
    return side


# --- Posting -------------------------------------------------------------------------------------


def _cleaned(files: Sequence[UploadedFile]) -> list[uploads.CleanFile]:
    """Every file of the message through the one pipeline, all or none; a refusal names the
    file (same limits as the dossier's documents: settings.DOCUMENT_MAX_BYTES)."""
    batch = uploads.Batch(expected=len(files))
    try:
        return [
            uploads.process(
                upload,
                max_bytes=settings.DOCUMENT_MAX_BYTES,
                batch=batch,
                default_name="document",
            )
            for upload in files
        ]
    except uploads.UploadRefused as refused:
        raise DomainError(refused.code, refused.message, name=refused.name) from refused


@atomic_with_files()
def message_post(
    *,
    application: Application,
    actor,
    body: str,
    attachments: Sequence[UploadedFile] = (),
) -> Message:
    """`actor` writes to the other side of the dossier's thread, with files if any."""
    body = (body or "").strip()
    problem = body_problem(body)
    if problem is not None:
        raise DomainError(problem, _BODY_REFUSALS[problem] % {"limit": BODY_MAX_LENGTH})
    locked = row_locked(application)
    side = _refuse_unless_party(actor, locked)
    if not thread_open(locked.status):
        raise DomainError(
            "not_filed", _("The application is not sent yet: there is nobody to write to.")
        )
    cleaned = _cleaned([upload for upload in attachments if upload])
    message = Message.objects.create(application=locked, side=side, author=actor, body=body)
    for clean in cleaned:
        attachment = MessageAttachment(
            message=message,
            original_name=clean.name,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
        )
        attachment.file.save(clean.name, clean.as_content_file(), save=False)
        file_written(attachment.file)  # deleted again if the transaction does not commit
        attachment.save()
    kind = EventKind.MESSAGE_SENT if side == MessageSide.PREFECTURE else EventKind.MESSAGE_RECEIVED
    _event(locked, kind, actor, message=message.pk)
    audit_action(
        instance=message,
        actor=actor,
        action="message_post",
        details={
            "application": locked.reference,
            "side": side,
            "length": len(body),
            "attachments": len(cleaned),
        },
    )
    _notify_other_side(locked, message)
    return message


def _notify_other_side(application: Application, message: Message) -> None:
    """The person, when the prefecture wrote; the agent the dossier is assigned to, when the
    person wrote (unassigned: nobody, the agents see the unread count on the dossier)."""
    if message.side == MessageSide.PREFECTURE:
        recipient = application.applicant
        url_name, to_agent = "portal:application_detail", False
    else:
        assignment = (
            Assignment.objects.filter(application=application).select_related("agent").first()
        )
        if assignment is None or not is_agent_of(assignment.agent, application):
            return
        recipient = assignment.agent
        url_name, to_agent = "backoffice:application_detail", True
    if not recipient.email:
        return
    path = reverse(url_name, kwargs={"reference": application.reference})
    language = person_language(recipient)
    with translation.override(language):
        subject = gettext("New message about the application %(reference)s") % {
            "reference": application.reference
        }
        body = render_to_string(
            EMAIL_TEMPLATE,
            {
                "reference": application.reference,
                "url": f"{settings.SITE_URL}{path}#thread",
                "to_agent": to_agent,
            },
        )
    enqueue_email(
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
        ),
        idempotency_key=f"message:{message.pk}",
        language=language,
        person=recipient,
    )


# --- Reading -------------------------------------------------------------------------------------


def thread_mark_read(*, application: Application, reader) -> int:
    """The thread was shown to `reader`: the other side's messages are read. For the person's
    side only the person themself marks them read (a helper reading does not hide them from
    the person); on the prefecture's side, any agent of it. The number marked."""
    side = side_of(reader, application)
    if side is None or (side == MessageSide.APPLICANT and not is_applicant(reader)):
        return 0
    marked = (
        Message.objects.filter(application=application, read_at__isnull=True)
        .exclude(side=side)
        .update(read_at=timezone.now())
    )
    if marked:
        # The person's dashboard badge and the dossier's row in its queue.
        generations.bump_dossier(application, affects=generations.ROW)
    return marked
