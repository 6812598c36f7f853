"""Reading mandates: those a person gave, those a helper holds, the one in force for a helper
and a person (`mandate_active_for`, which every access check under a mandate goes through),
what the audit log says of an act done under one, and the person's notices.

Two small writes come with these reads: the first use of a mandate told to the person
(`mandate_first_use_record`, once) and the person's notices marked seen.
"""

from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.enums import MandateEventKind, Role
from accounts.mandate_notices import mandate_notice
from accounts.models import Mandate, MandateEvent, User
from anef.audit import audit_action


def _today() -> date:
    return timezone.localdate()


def mandate_list_given(person: User) -> QuerySet[Mandate]:
    """Every mandate a person gave, for their "My helpers" page, newest first."""
    return (
        Mandate.objects.filter(person=person).select_related("helper").prefetch_related("grounds")
    )


def mandate_list_held(helper: User) -> QuerySet[Mandate]:
    """Every mandate a helper holds, for their "People I help" page, newest first."""
    return (
        Mandate.objects.filter(helper=helper)
        .select_related("person", "person__applicant_profile")
        .prefetch_related("grounds")
    )


def mandate_list_active_for_helper(helper: User, today: date | None = None) -> QuerySet[Mandate]:
    """Mandates in force today for this helper (none for anybody else)."""
    if getattr(helper, "role", None) != Role.HELPER or not helper.is_active:
        return Mandate.objects.none()
    return Mandate.objects.active_on(today or _today()).filter(helper=helper)


def mandate_active_for(helper: User, person_id: int, today: date | None = None) -> Mandate | None:
    """The helper's mandate in force today from this person, if any (the widest one first).
    Each use of a mandate goes through here: the first one is told to the person."""
    mandate = (
        mandate_list_active_for_helper(helper, today)
        .filter(person_id=person_id)
        .select_related("person", "helper")
        .prefetch_related("grounds")
        .order_by("-all_grounds", "-ends_on")
        .first()
    )
    if mandate is not None and mandate.first_used_at is None:
        mandate_first_use_record(mandate)
    return mandate


def mandate_acting_for_details(actor, instance) -> dict:
    """What the audit entry says of an act done under a mandate: for whom, under which
    mandate. Registered into `anef.audit` by `AccountsConfig.ready`, so that `audit_action`
    asks it for every entry; it answers only for a helper."""
    if getattr(actor, "role", None) != Role.HELPER:
        return {}
    person_id = (
        getattr(instance, "applicant_id", None)
        or getattr(getattr(instance, "application", None), "applicant_id", None)
        or getattr(instance, "holder_id", None)
        or getattr(instance, "person_id", None)
        or getattr(instance, "user_id", None)
    )
    if person_id is None:
        return {}
    mandate = mandate_active_for(actor, person_id)
    return {"acting_for": person_id, "mandate": mandate.pk if mandate else None}


def _lock(mandate: Mandate) -> Mandate:
    return Mandate.objects.select_for_update().select_related("person", "helper").get(pk=mandate.pk)


def mandate_first_use_record(mandate: Mandate) -> None:
    """The first time a helper uses a mandate, the person is told (once: the row is claimed by
    a conditional update, the notice by its unique constraint)."""
    if mandate.first_used_at is not None:
        return
    with transaction.atomic():
        now = timezone.now()
        claimed = Mandate.objects.filter(pk=mandate.pk, first_used_at__isnull=True).update(
            first_used_at=now
        )
        mandate.first_used_at = now
        if claimed:
            audit_action(instance=mandate, actor=None, action="mandate_first_used")
            mandate_notice(mandate=mandate, kind=MandateEventKind.FIRST_USED, actor=mandate.helper)


def mandate_notice_list(person: User, limit: int = 10):
    """The person's latest notices about their mandates, for their portal."""
    return (
        MandateEvent.objects.filter(mandate__person=person)
        .select_related("mandate__helper", "actor")
        .order_by("-created_at", "-pk")[:limit]
    )


@transaction.atomic
def mandate_notices_mark_seen(person: User) -> int:
    return MandateEvent.objects.filter(mandate__person=person, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )
