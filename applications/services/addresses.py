"""The person's identity and address: the foreigner number attached by an agent, and a move
that transfers open dossiers to the new prefecture."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApplicantProfile, PreviousAddress, User
from anef import generations
from anef.audit import audit_action
from anef.errors import DomainError
from applications.enums import ApplicationStatus, EventKind
from applications.models import Application
from applications.selectors import prefecture_for_postal_code
from applications.services import _core
from applications.services._core import _event
from applications.workbench.services import application_workbench_release
from applications.workflow import OPEN_STATES

# --- Identity and address -----------------------------------------------------------------------


@transaction.atomic
def foreigner_number_attach(*, profile: ApplicantProfile, number: str, actor: User) -> None:
    """An agent attaches the foreigner number to a person who had none (DESIGN.md §7 sc. 4)."""
    number = (number or "").strip()
    if not (len(number) == 10 and number.isdigit()):
        raise DomainError("foreigner_number", _("A foreigner number has exactly 10 digits."))
    locked = ApplicantProfile.objects.select_for_update().get(pk=profile.pk)
    if ApplicantProfile.objects.filter(foreigner_number=number).exclude(pk=locked.pk).exists():
        raise DomainError(
            "foreigner_number_taken",
            _("This foreigner number is already attached to another person."),
        )
    before = locked.foreigner_number
    locked.foreigner_number = number
    locked.save(update_fields=["foreigner_number"])
    audit_action(
        instance=locked,
        actor=actor,
        action="foreigner_number_attach",
        changes={"foreigner_number": (before, number)},
    )
    generations.bump_person_everywhere(locked.user_id)
    for application in Application.objects.filter(applicant=locked.user, status__in=OPEN_STATES):
        _event(application, EventKind.FOREIGNER_NUMBER_ATTACHED, actor)
    # Current attestations print the number: the next sweep reissues them with it (it no longer
    # rereads every dossier daily, only those changed or due).
    Application.objects.filter(applicant=locked.user).exclude(
        status=ApplicationStatus.DRAFT
    ).update(attestations_dirty=True)


@transaction.atomic
def address_change(
    *,
    profile: ApplicantProfile,
    address_line: str,
    postal_code: str,
    city: str,
    actor: User,
) -> list[Application]:
    """Move the person: keep the old address, and move every open dossier to the prefecture of
    the new département (both the person and the agents see it in the timeline)."""
    new_prefecture = prefecture_for_postal_code(postal_code)
    if new_prefecture is None:
        raise DomainError(
            "no_prefecture",
            _(
                "We cannot find the prefecture for this postal code. Check it, or contact us so "
                "that a person can help you."
            ),
        )
    locked = ApplicantProfile.objects.select_for_update().get(pk=profile.pk)
    PreviousAddress.objects.create(
        profile=locked,
        address_line=locked.address_line,
        postal_code=locked.postal_code,
        city=locked.city,
        moved_out_at=timezone.now(),
    )
    before = f"{locked.address_line}, {locked.postal_code} {locked.city}"
    locked.address_line, locked.postal_code, locked.city = address_line, postal_code, city
    locked.full_clean(exclude=["user"])
    locked.save()
    audit_action(
        instance=locked,
        actor=actor,
        action="address_change",
        changes={"address": (before, f"{address_line}, {postal_code} {city}")},
    )
    moved = []
    for application in Application.objects.select_for_update().filter(
        applicant=locked.user, status__in=OPEN_STATES
    ):
        _event(application, EventKind.ADDRESS_CHANGED, actor, postal_code=postal_code, city=city)
        if application.prefecture_id != new_prefecture.pk:
            old = application.prefecture
            application.prefecture = new_prefecture
            application.save(update_fields=["prefecture", "updated_at"])
            generations.bump_prefecture(old.pk)  # leaves that queue (its event names the new one)
            _event(
                application,
                EventKind.TRANSFERRED,
                actor,
                from_prefecture=old.name,
                to_prefecture=new_prefecture.name,
            )
            audit_action(
                instance=application,
                actor=actor,
                action="transfer",
                changes={"prefecture": (old.code, new_prefecture.code)},
            )
            # The old prefecture's agents no longer hold nor follow it (issue 20).
            application_workbench_release(application=application, actor=actor)
            moved.append(application)
        # Current attestations print the address: they are reissued with the new one.
        Application.objects.filter(pk=application.pk).update(attestations_dirty=True)
        _core._attestations_refresh_on_commit(application.pk)  # one place to patch in tests
    # A decided dossier may still hold a document in force that prints the address: the sweep
    # no longer rereads every dossier daily, so it is told (it replaces nothing that has ended).
    Application.objects.filter(applicant=locked.user).exclude(
        status__in=OPEN_STATES | {ApplicationStatus.DRAFT}
    ).update(attestations_dirty=True)
    generations.bump_person_everywhere(locked.user_id)
    return moved
