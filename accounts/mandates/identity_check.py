"""The identity check by a prefecture agent (PAN / France-Services desk, prison, hospital): the
signed-form mandates an agent's prefecture may check, and the check that puts one in force.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.enums import ConsentProof, Role
from accounts.mandates.consent import _check_pending, _prove
from accounts.mandates.queries import _lock, _today
from accounts.models import Mandate, User
from anef.errors import DomainError


def mandate_check_prefecture_ids(mandate: Mandate) -> set[int]:
    """The prefectures whose agents may check this person's identity: those of the person's
    dossiers and of their address on record; only for a person with neither (an account just
    opened for someone in prison), the one of the postal code the helper typed."""
    from anef.generations import person_prefecture_ids
    from reference.models import Prefecture
    from reference.rules import departement_code_for_postal_code

    # The dossiers live above accounts: applications registers how to find their prefectures.
    ids = person_prefecture_ids(mandate.person_id)
    profile = getattr(mandate.person, "applicant_profile", None)
    postal_codes = [profile.postal_code] if profile is not None else []
    if not ids and profile is None:
        postal_codes.append(mandate.declared_postal_code)
    for postal_code in postal_codes:
        try:
            departement = departement_code_for_postal_code(postal_code)
        except ValueError:
            continue
        ids.update(
            Prefecture.objects.filter(departement_code=departement).values_list("pk", flat=True)
        )
    ids.discard(None)
    return ids


def mandate_list_awaiting_check(agent: User) -> list[Mandate]:
    """Signed-form mandates waiting for a proof that this agent's prefecture may check."""
    if getattr(agent, "role", None) != Role.PREFECTURE_AGENT or not agent.prefecture_id:
        return []
    pending = (
        Mandate.objects.filter(
            consented_at__isnull=True, revoked_at__isnull=True, ends_on__gte=_today()
        )
        .exclude(consent_file="")
        .select_related("person", "person__applicant_profile", "helper")
        .prefetch_related("grounds")
        .order_by("created_at")
    )
    return [m for m in pending if agent.prefecture_id in mandate_check_prefecture_ids(m)]


def mandate_awaiting_check_get(agent: User, pk: int) -> Mandate | None:
    return next((m for m in mandate_list_awaiting_check(agent) if m.pk == pk), None)


@transaction.atomic
def mandate_identity_check_record(
    *, mandate: Mandate, agent: User, identity_document: str
) -> Mandate:
    """A prefecture agent saw the person (at a desk, or in prison / hospital) with an identity
    document and the signed form, and records it: the mandate is in force, in the agent's
    name (audit log and mandate). Only an agent of a prefecture competent for the person."""
    locked = _lock(mandate)
    if (
        getattr(agent, "role", None) != Role.PREFECTURE_AGENT
        or not agent.is_active
        or agent.prefecture_id not in mandate_check_prefecture_ids(locked)
        or not locked.consent_file
    ):
        raise DomainError("not_yours", _("This mandate is not one your prefecture can check."))
    _check_pending(locked)
    identity_document = (identity_document or "").strip()
    if not identity_document:
        raise DomainError(
            "identity_document", _("Type the kind and number of the identity document you saw.")
        )
    locked.identity_document_checked = identity_document[:100]
    locked.save(update_fields=["identity_document_checked"])
    return _prove(
        locked,
        via=ConsentProof.AGENT_CHECK,
        by=agent,
        action="mandate_identity_checked",
        details={"agent": agent.pk, "prefecture": agent.prefecture_id},
    )
