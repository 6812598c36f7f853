"""`insert_skipping_conflicts`: the rows stored come back with their ids, a row a unique
constraint refuses is skipped (not an error, not returned), the other columns take their model
defaults, and JSON with quotes, backslashes and Arabic reads back unchanged."""

import datetime

import pytest
from django.utils import timezone

from anef.bulk_insert import insert_skipping_conflicts
from attestations.models import Attestation
from attestations.numbers import new_number
from tests.attestations.factories import paris_agent, renewal

TODAY = datetime.date.today()
COLUMNS = ("number", "kind", "application_id", "holder_id", "valid_from", "issue_on")
COLUMNS_WITH_JSON = (*COLUMNS, "prefecture_id", "holder_snapshot", "rights")


@pytest.fixture
def dossier(reference_data):
    return renewal(paris_agent(), today=TODAY)


def an_api(dossier, **json):
    values = (new_number("api", TODAY.year), "api", dossier.pk, dossier.applicant_id, TODAY, TODAY)
    if json:
        return (*values, dossier.prefecture_id, json["holder_snapshot"], json["rights"])
    return (*values, dossier.prefecture_id)


@pytest.mark.django_db
def test_stored_rows_come_back_with_their_ids_and_the_model_defaults(dossier):
    row = an_api(dossier)

    stored = insert_skipping_conflicts(
        Attestation, (*COLUMNS, "prefecture_id"), [row], returning=("number", "id")
    )

    [(number, pk)] = stored
    attestation = Attestation.objects.get(pk=pk)
    assert attestation.number == number == row[0]
    assert attestation.end_reason == "" and attestation.ended_on is None
    assert attestation.holder_snapshot == {} and attestation.rights == {}
    assert attestation.issued_at is not None and not attestation.pdf


@pytest.mark.django_db
def test_a_row_refused_by_a_unique_constraint_is_skipped_and_not_returned(dossier):
    first = an_api(dossier)
    insert_skipping_conflicts(Attestation, (*COLUMNS, "prefecture_id"), [first], returning=["id"])
    same_number = (first[0], *an_api(dossier)[1:])
    # A second first API of the same dossier would break the one-first-API constraint as well:
    # only a fresh number on another kind can go in.
    other = (new_number("adf", TODAY.year), "adf", *first[2:])

    stored = insert_skipping_conflicts(
        Attestation,
        (*COLUMNS, "prefecture_id"),
        [same_number, other],
        returning=("number",),
    )

    assert stored == [(other[0],)]
    assert Attestation.objects.filter(application=dossier).count() == 2


@pytest.mark.django_db
def test_json_with_quotes_backslashes_and_arabic_reads_back_unchanged(dossier):
    snapshot = {"last_name": 'O"Brien \\ عبد الله', "address": "1, \"rue\" {x} 'y'"}
    rights = {"legal_text": {"ar": "وصل الإيداع", "fr": 'dit "récépissé"'}, "work": True}

    [(pk,)] = insert_skipping_conflicts(
        Attestation,
        COLUMNS_WITH_JSON,
        [an_api(dossier, holder_snapshot=snapshot, rights=rights)],
        returning=("id",),
    )

    attestation = Attestation.objects.get(pk=pk)
    assert attestation.holder_snapshot == snapshot
    assert attestation.rights == rights


@pytest.mark.django_db
def test_no_rows_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_skipping_conflicts(Attestation, COLUMNS, [], returning=("id",)) == []


@pytest.mark.django_db
def test_a_column_the_model_stamps_on_save_is_stamped_now():
    from support.models import SavedAnswer

    before = timezone.now()

    [(pk,)] = insert_skipping_conflicts(
        SavedAnswer, ("title", "body_fr"), [("Horaires", "Ouvert de 9 h à 17 h.")], returning=["id"]
    )

    answer = SavedAnswer.objects.get(pk=pk)
    assert answer.updated_at >= before and answer.active is True and answer.body_ar == ""
