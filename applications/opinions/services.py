"""Writes of the expert opinions: asking, answering (text and an optional file through the one
upload pipeline), withdrawing. Each in one transaction: the opinion (or dossier) row locked, who
asks checked against the opinion's prefecture, the transition checked (`rules`), the agent-side
event and the audit entry written. Nothing reaches the person's timeline."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_prefecture_agent
from anef.audit import audit_action
from anef.errors import DomainError
from anef.transactions import atomic_with_files, file_written
from applications.models import Application
from applications.opinions import rules
from applications.opinions.models import Opinion
from applications.opinions.rules import OpinionStatus
from applications.services.documents import _cleaned
from applications.workbench.models import WorkbenchEvent, WorkbenchEventKind
from applications.workbench.services import is_agent_of

REFUSALS = {
    "not_filed": _("A draft is not filed yet: no opinion can be asked on it."),
    "question_required": _("Write the question."),
    "question_too_long": _("A question has at most %(limit)s characters.")
    % {"limit": rules.QUESTION_MAX_LENGTH},
    "addressee_required": _("Choose an agent of your prefecture, or name an outside service."),
    "service_too_long": _("The service's name has at most %(limit)s characters.")
    % {"limit": rules.OUTSIDE_SERVICE_MAX_LENGTH},
    "addressee_elsewhere": _("Ask an agent of the prefecture instructing this application."),
    "addressee_is_asker": _("Ask a colleague, not yourself."),
    "opinion_closed": _("This opinion is already answered or withdrawn."),
    "not_addressee": _(
        "Only the agent asked may answer (or, for an outside service, the agent who asked)."
    ),
    "answer_required": _("Write the answer."),
    "answer_too_long": _("An answer has at most %(limit)s characters.")
    % {"limit": rules.ANSWER_MAX_LENGTH},
    "not_asker": _("Only the agent who asked may withdraw the question."),
}
REFUSAL_STATUS = {"opinion_closed": 409, "not_addressee": 403, "not_asker": 403}


def _refuse(code: str) -> None:
    raise DomainError(code, REFUSALS[code], http_status=REFUSAL_STATUS.get(code))


def _refuse_unless_agent(user, prefecture_id: int) -> None:
    if not (is_prefecture_agent(user) and user.prefecture_id == prefecture_id):
        raise DomainError(
            "not_yours",
            _("Only the agents of the prefecture instructing this application may do this."),
        )


def _name(user) -> str:
    return user.get_full_name() or user.email


def _event(opinion: Opinion, kind: str, actor) -> None:
    WorkbenchEvent.record(
        application=opinion.application,
        kind=kind,
        actor=actor,
        params={"opinion": opinion.pk, "addressee": opinion.addressee_label},
    )


def opinion_ask(
    *, application: Application, actor, question: str, addressee=None, outside_service: str = ""
) -> Opinion:
    """Ask a colleague of the dossier's prefecture (`addressee`) or name an outside service."""
    question = (question or "").strip()
    outside_service = (outside_service or "").strip()
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _refuse_unless_agent(actor, locked.prefecture_id)
        refusal = rules.ask_refusal(
            application_status=locked.status,
            addressee_is_colleague=None if addressee is None else is_agent_of(addressee, locked),
            addressee_is_asker=addressee is not None and addressee.pk == actor.pk,
            outside_service=outside_service,
            question=question,
        )
        if refusal:
            _refuse(refusal)
        opinion = Opinion.objects.create(
            application=locked,
            prefecture_id=locked.prefecture_id,
            asked_by=actor,
            addressee=addressee,
            outside_service="" if addressee is not None else outside_service,
            question=question,
        )
        _event(opinion, WorkbenchEventKind.OPINION_ASKED, actor)
        audit_action(
            instance=opinion,
            actor=actor,
            action="opinion_ask",
            details={
                "application": locked.reference,
                "addressee": addressee.pk if addressee is not None else "",
                "outside_service": opinion.outside_service,
            },
        )
    return opinion


def _locked(opinion: Opinion) -> Opinion:
    return Opinion.objects.select_for_update().select_related("application").get(pk=opinion.pk)


@atomic_with_files()
def opinion_answer(
    *, opinion: Opinion, actor, answer: str, uploaded_file: UploadedFile | None = None
) -> Opinion:
    """The agent asked answers; for an outside service, the asking agent pastes its answer."""
    answer = (answer or "").strip()
    locked = _locked(opinion)
    _refuse_unless_agent(actor, locked.prefecture_id)
    refusal = rules.answer_refusal(
        status=locked.status,
        user_id=actor.pk,
        addressee_id=locked.addressee_id,
        asked_by_id=locked.asked_by_id,
        answer=answer,
    )
    if refusal:
        _refuse(refusal)
    if uploaded_file is not None:
        cleaned = _cleaned(uploaded_file)  # the one pipeline: type sniffed, rewritten, limits
        locked.answer_content_type = cleaned.content_type
        locked.answer_file_name = cleaned.name
        locked.answer_file.save(cleaned.name, cleaned.as_content_file(), save=False)
        file_written(locked.answer_file)  # deleted again if the transaction does not commit
    locked.status = OpinionStatus.ANSWERED
    locked.answer = answer
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.save()
    _event(locked, WorkbenchEventKind.OPINION_ANSWERED, actor)
    audit_action(
        instance=locked,
        actor=actor,
        action="opinion_answer",
        changes={"status": (OpinionStatus.ASKED, OpinionStatus.ANSWERED)},
        details={"file": bool(locked.answer_file)},
    )
    return locked


@transaction.atomic
def opinion_withdraw(*, opinion: Opinion, actor) -> Opinion:
    locked = _locked(opinion)
    _refuse_unless_agent(actor, locked.prefecture_id)
    refusal = rules.withdraw_refusal(
        status=locked.status, user_id=actor.pk, asked_by_id=locked.asked_by_id
    )
    if refusal:
        _refuse(refusal)
    locked.status = OpinionStatus.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.save()
    _event(locked, WorkbenchEventKind.OPINION_WITHDRAWN, actor)
    audit_action(
        instance=locked,
        actor=actor,
        action="opinion_withdraw",
        changes={"status": (OpinionStatus.ASKED, OpinionStatus.WITHDRAWN)},
    )
    return locked
