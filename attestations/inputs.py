"""What the attestation rules read from outside a dossier, and what happens when it changes.

The sweep only looks at dossiers that changed or are due (`attestations.services.sweepable`).
Two inputs of the rules live outside any dossier: the policy in force
(`settings.ATTESTATION_POLICY`, read by `attestations.rules.Policy`) and each ground's place on
the list of titles renewed online (`reference.Ground.renewed_online`, R. 431-5 1°). When one of
them changes (a deployment with a new setting, an administrator's edit, a catalogue reload), the
dossiers it concerns must be looked at again, or they would keep the chain computed under the old
rule until something else touched them.

Each input is recorded as a fingerprint (`AttestationInputSeen`). Before a sweep,
`attestation_inputs_check` compares what is in force with what was seen and marks the dossiers
concerned dirty: every dossier for the policy, the dossiers renewing a card of that ground (or
asking for it) for a ground. The check runs under a row lock, so two workers starting a sweep at
once mark once; the first check on a new database records what it finds and marks everything
once (it cannot know what the dossiers were computed with).
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications.enums import ApplicationStatus
from applications.models import Application
from applications.workflow import OPEN_STATES
from attestations.models import AttestationInputSeen
from attestations.rules import Policy
from attestations.services.sweep import NEVER_AGAIN
from reference.models import Ground

POLICY_KEY = "policy"
GROUND_KEY_PREFIX = "ground:"


@dataclass
class InputsReport:
    policy_changed: bool = False
    grounds_changed: list[str] = field(default_factory=list)
    dossiers_marked: int = 0


def _fingerprint(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def inputs_in_force() -> dict[str, str]:
    """Fingerprint of every input, by key: the policy, then one per ground."""
    current = {POLICY_KEY: _fingerprint(asdict(Policy.from_settings()))}
    for code, renewed_online in Ground.objects.values_list("code", "renewed_online"):
        current[GROUND_KEY_PREFIX + code] = _fingerprint({"renewed_online": renewed_online})
    return current


def _dossiers_still_open_to_change():
    """Filed dossiers whose attestations may still change: not settled by the sweep."""
    return Application.objects.exclude(status=ApplicationStatus.DRAFT).filter(
        Q(status__in=sorted(OPEN_STATES)) | ~Q(attestations_swept_on=NEVER_AGAIN)
    )


@transaction.atomic
def attestation_inputs_check() -> InputsReport:
    """Mark dirty the dossiers whose rules' inputs changed since the last check; record the
    inputs in force. Idempotent: a second call with nothing changed marks nothing."""
    report = InputsReport()
    seen_rows = {row.key: row for row in AttestationInputSeen.objects.select_for_update()}
    current = inputs_in_force()
    changed = {
        key
        for key, value in current.items()
        if getattr(seen_rows.get(key), "fingerprint", None) != value
    }
    if not changed:
        return report
    dossiers = _dossiers_still_open_to_change().filter(attestations_dirty=False)
    report.policy_changed = POLICY_KEY in changed
    report.grounds_changed = sorted(
        key.removeprefix(GROUND_KEY_PREFIX) for key in changed - {POLICY_KEY}
    )
    if not report.policy_changed:  # a new policy concerns every dossier; a ground, its own
        codes = report.grounds_changed
        dossiers = dossiers.filter(
            Q(ground__code__in=codes) | Q(renews_permit__ground__code__in=codes)
        )
    report.dossiers_marked = dossiers.update(attestations_dirty=True)
    now = timezone.now()
    for key in changed:
        AttestationInputSeen.objects.update_or_create(
            key=key, defaults={"fingerprint": current[key], "seen_at": now}
        )
    return report
