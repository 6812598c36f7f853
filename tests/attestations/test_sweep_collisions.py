"""A public number drawn twice must not cost anyone an attestation: the database says which rows
it stored, the sweep draws a new number for a row skipped for its number, and never reports a
dossier done while it lacks one."""

import pytest

from attestations import numbers
from attestations.models import Attestation
from attestations.services import attestations_sweep
from tests.attestations.factories import renewal
from tests.attestations.test_sweep import TODAY

REAL_NEW_NUMBER = numbers.new_number


def numbers_colliding(monkeypatch, taken: str, times: int) -> list[str]:
    """Make the next `times` draws return `taken` (a number already in use), then draw again."""
    real = REAL_NEW_NUMBER
    drawn = []

    def draw(kind, year):
        number = taken if len(drawn) < times else real(kind, year)
        drawn.append(number)
        return number

    monkeypatch.setattr(numbers, "new_number", draw)
    return drawn


@pytest.mark.django_db
def test_sweep_number_taken_once_draws_again_and_issues_every_attestation(agent, monkeypatch):
    first = renewal(agent, today=TODAY)
    attestations_sweep(today=TODAY)
    taken = first.attestations.get(kind="deposit_receipt").number
    second = renewal(agent, today=TODAY)
    drawn = numbers_colliding(monkeypatch, taken, times=1)

    report = attestations_sweep(today=TODAY)

    receipt = second.attestations.get(kind="deposit_receipt")
    assert receipt.number != taken
    assert drawn[0] == taken and len(drawn) == 2
    assert report.issued == 1
    second.refresh_from_db()
    assert second.attestations_dirty is False and second.attestations_swept_on == TODAY


@pytest.mark.django_db
def test_sweep_number_taken_every_time_leaves_the_dossier_for_the_next_sweep(agent, monkeypatch):
    first = renewal(agent, today=TODAY)
    attestations_sweep(today=TODAY)
    taken = first.attestations.get(kind="deposit_receipt").number
    second = renewal(agent, today=TODAY)
    # Three draws in the batch, then three more when the sweep retries that dossier alone.
    numbers_colliding(monkeypatch, taken, times=6)

    report = attestations_sweep(today=TODAY)

    assert report.issued == 0
    assert not second.attestations.exists()
    second.refresh_from_db()
    assert second.attestations_dirty is True  # not reported done: the next sweep retries

    monkeypatch.setattr(numbers, "new_number", REAL_NEW_NUMBER)
    assert attestations_sweep(today=TODAY).issued == 1
    assert Attestation.objects.filter(application=second, kind="deposit_receipt").count() == 1


@pytest.mark.django_db
def test_insert_row_refused_for_another_constraint_is_not_drawn_again(agent, caplog):
    """A row the database skips for a constraint other than its number (a document continued
    twice: the fault the long run of histories found) is reported as such, at once, and not
    retried under new numbers, which could never help."""
    from attestations.services.ledger import _insert, _NewRow, _Unstored

    application = renewal(agent, today=TODAY)
    attestations_sweep(today=TODAY)
    receipt = application.attestations.get(kind="deposit_receipt")
    first = Attestation.objects.create(
        number=REAL_NEW_NUMBER("api", TODAY.year),
        kind="api",
        application=application,
        holder=receipt.holder,
        valid_from=TODAY,
        issue_on=TODAY,
        continues=receipt,
        prefecture=receipt.prefecture,
    )
    second = _NewRow(
        number=REAL_NEW_NUMBER("api", TODAY.year),
        kind="api",
        application_id=application.pk,
        permit_id=None,
        holder_id=receipt.holder_id,
        continues_id=receipt.pk,  # continued twice: refused by the one-to-one constraint
        replaces_id=None,
        valid_from=TODAY.replace(day=1) if TODAY.day > 1 else TODAY,
        valid_until=None,
        issue_on=TODAY,
        holder_snapshot={},
        rights={},
        ground_id=None,
        prefecture_id=receipt.prefecture_id,
    )
    drawn_before = second.number
    with pytest.raises(_Unstored):
        _insert([second])
    assert second.number == drawn_before
    assert "not a number collision" in caplog.text
    assert "drawn again" not in caplog.text
    assert Attestation.objects.filter(continues=receipt).get() == first
