"""CESEDA R. 431-5 2° and 3°: a young person's first application filed by their own deadline
gets the API like a renewal filed in time (R. 431-15-1)."""

import datetime
from datetime import date

import pytest

from applications import services as dossier
from attestations.rules import (
    anniversary,
    cites_r431_5_2_article,
    young_person_deadline,
)
from attestations.services import attestations_sweep
from reference.enums import ProcedureKind
from tests.accounts.factories import ApplicantProfileFactory, PrefectureAgentFactory
from tests.applications.helpers import filed

BORN = date(2008, 3, 15)


@pytest.mark.parametrize(
    ("article", "listed"),
    [
        ("L. 424-1", True),
        ("L. 424-3, 3°", True),
        ("L. 421-26", True),
        ("L. 421-33", True),
        ("L. 421-34", False),
        ("L. 423-23", False),
        ("L. 424-11, 3°", False),
        ("L. 421-1", False),
        ("L. 424-18 ; L. 424-19 (famille)", False),
        ("", False),
    ],
)
def test_rules_r431_5_2_lists_exactly_its_articles(article, listed):
    assert cites_r431_5_2_article(article) is listed


def test_rules_anniversary_of_29_february_falls_on_1_march():
    assert anniversary(date(2008, 2, 29), 19) == date(2027, 3, 1)
    assert anniversary(date(2008, 2, 29), 20) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("filed_on", "deadline"),
    [
        (date(2027, 3, 13), date(2027, 3, 14)),
        (date(2027, 3, 14), date(2027, 3, 14)),  # the eve of the 19th birthday: in time
        (date(2027, 3, 15), None),  # the birthday itself: too late
    ],
)
def test_rules_listed_ground_deadline_is_the_eve_of_the_19th_birthday(filed_on, deadline):
    assert (
        young_person_deadline(
            birth_date=BORN,
            ground_article="L. 424-3, 3°",
            is_first_application=True,
            filed_on=filed_on,
        )
        == deadline
    )


@pytest.mark.parametrize(
    ("filed_on", "deadline"),
    [
        (date(2026, 3, 15), date(2026, 5, 15)),  # the 18th birthday
        (date(2026, 5, 15), date(2026, 5, 15)),  # two months after it: in time
        (date(2026, 5, 16), None),
    ],
)
def test_rules_other_ground_deadline_is_two_months_after_the_18th_birthday(filed_on, deadline):
    assert (
        young_person_deadline(
            birth_date=BORN,
            ground_article="L. 421-1",
            is_first_application=True,
            filed_on=filed_on,
        )
        == deadline
    )


def test_rules_other_ground_deadline_after_an_18th_birthday_on_31_december_is_28_february():
    assert young_person_deadline(
        birth_date=date(2007, 12, 31),
        ground_article="L. 421-1",
        is_first_application=True,
        filed_on=date(2026, 2, 28),
    ) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("birth_date", "first"), [(None, True), (BORN, False)], ids=["no-birth-date", "renewal"]
)
def test_rules_young_person_deadline_needs_a_first_application_and_a_birth_date(birth_date, first):
    assert (
        young_person_deadline(
            birth_date=birth_date,
            ground_article="L. 424-1",
            is_first_application=first,
            filed_on=date(2026, 4, 1),
        )
        is None
    )


@pytest.mark.django_db
def test_sweep_young_refugee_child_filing_before_19_gets_an_api_on_completion(reference_data):
    today = datetime.date.today()
    agent = PrefectureAgentFactory(prefecture__departement_code="75")
    profile = ApplicantProfileFactory(
        postal_code="75011", birth_date=anniversary(today, -19) + datetime.timedelta(days=30)
    )
    application = filed(profile, "refugee_adult_child", kind=ProcedureKind.FIRST_APPLICATION)
    dossier.application_mark_complete(application=application, actor=agent)

    attestations_sweep(today=today)

    api = application.attestations.get(kind="api")
    assert api.valid_from == today and api.issue_on == today


@pytest.mark.django_db
def test_sweep_adult_first_application_gets_no_api(reference_data):
    today = datetime.date.today()
    agent = PrefectureAgentFactory(prefecture__departement_code="75")
    profile = ApplicantProfileFactory(postal_code="75011", birth_date=date(1990, 6, 1))
    application = filed(profile, "refugee_adult_child", kind=ProcedureKind.FIRST_APPLICATION)
    dossier.application_mark_complete(application=application, actor=agent)

    attestations_sweep(today=today)

    assert sorted(application.attestations.values_list("kind", flat=True)) == ["deposit_receipt"]
