"""Saved answers: supervisors write them (one variant per language). Part of
`support.services` (re-exported there); split only to keep modules short."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from anef.audit import audit_action
from anef.errors import DomainError
from anef.transactions import atomic_with_files
from support.models import SavedAnswer
from support.permissions import can_edit_saved_answers


@atomic_with_files()
def saved_answer_save(
    *,
    actor: User,
    title: str,
    body_fr: str,
    body_en: str,
    body_ar: str = "",
    category: str = "",
    active: bool = True,
    answer: SavedAnswer | None = None,
) -> SavedAnswer:
    """Create or edit a saved answer; supervisors only."""
    if not can_edit_saved_answers(actor):
        raise DomainError("forbidden", _("Only supervisors edit saved answers."))
    answer = answer or SavedAnswer()
    before = {
        "title": answer.title,
        "body_fr": answer.body_fr,
        "body_en": answer.body_en,
        "body_ar": answer.body_ar,
    }
    answer.title, answer.body_fr = title.strip(), body_fr.strip()
    answer.body_en, answer.body_ar = body_en.strip(), body_ar.strip()
    answer.category, answer.active, answer.updated_by = category, active, actor
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError as exc:
        raise DomainError("title_taken", _("Another saved answer has this title.")) from exc
    audit_action(
        instance=answer,
        actor=actor,
        action="saved_answer_save",
        changes={key: (value, getattr(answer, key)) for key, value in before.items()},
    )
    return answer
