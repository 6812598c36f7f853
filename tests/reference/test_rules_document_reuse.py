"""Whether a document given once may be copied into a later dossier (reference.rules), at the
boundaries of its own validity."""

from datetime import date

from reference.catalogue.loader import reference_data_read
from reference.rules import catalogue_errors, document_reusable, document_valid_until


def test_rules_document_valid_until_six_months_ends_the_day_before():
    assert document_valid_until(date(2027, 1, 10), 6) == date(2027, 7, 9)


def test_rules_document_valid_until_month_end_without_that_day():
    # 31 August + 6 months: no 31 February, so 28 February, and the day before is the last.
    assert document_valid_until(date(2026, 8, 31), 6) == date(2027, 2, 27)
    assert document_valid_until(date(2027, 8, 31), 6) == date(2028, 2, 28)  # leap year


def test_rules_document_valid_until_no_validity_does_not_age():
    assert document_valid_until(date(2000, 1, 1), None) is None


def test_rules_document_reusable_on_its_last_day():
    given = date(2027, 1, 10)
    assert document_reusable(
        reusable=True, validity_months=6, given_on=given, today=date(2027, 7, 9)
    )


def test_rules_document_reusable_expired_the_day_before_not_reused():
    given = date(2027, 1, 10)
    assert not document_reusable(
        reusable=True, validity_months=6, given_on=given, today=date(2027, 7, 10)
    )


def test_rules_document_reusable_type_never_reused():
    assert not document_reusable(
        reusable=False, validity_months=None, given_on=date(2027, 1, 1), today=date(2027, 1, 1)
    )


def test_rules_document_reusable_without_age_limit_years_later():
    assert document_reusable(
        reusable=True, validity_months=None, given_on=date(2010, 1, 1), today=date(2027, 1, 1)
    )


def _catalogue_with(**changes) -> dict:
    catalogue = reference_data_read()
    passport = next(entry for entry in catalogue["document_types"] if entry["code"] == "passport")
    passport.update(changes)
    return catalogue


def test_rules_catalogue_real_one_valid():
    assert catalogue_errors(reference_data_read()) == []


def test_rules_catalogue_validity_months_only_for_reusable_documents():
    errors = catalogue_errors(_catalogue_with(reusable=False, validity_months=3))
    assert any("only for a reusable" in error for error in errors)


def test_rules_catalogue_validity_months_at_least_one():
    errors = catalogue_errors(_catalogue_with(reusable=True, validity_months=0))
    assert any("at least 1" in error for error in errors)
