"""When the sweep must look at a group again (`review_rules.next_review_on`): the next day on
which its attestations can change if none of its facts does. Boundaries of the pure function,
then the proof that it misses nothing: a sweep run only on the days a fact changes and on review
days writes exactly the ledger of a sweep run every day, on the same days."""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from attestations.review_rules import next_review_on
from attestations.rules import (
    ADF,
    API,
    END_CLOSED,
    END_REFUSED,
    END_WITHDRAWN,
    DossierFacts,
    Entry,
    Plan,
    Policy,
    months_period_end,
    plan_ledger,
)
from tests.attestations.test_rules import EXPIRY, LAW, ONE_DAY, apply_plan, as_of, renewal

API_DAY = EXPIRY + ONE_DAY - timedelta(days=15)  # the first API is due in hand that day


def plan_on(facts, ledger, day, policy=LAW):
    facts = facts if isinstance(facts, list) else [facts]
    return plan_ledger(
        applications=[as_of(item, day) for item in facts],
        ledger=ledger,
        today=day,
        policy=policy,
        api_first_day=EXPIRY + ONE_DAY,
    )


def review(facts, ledger, day, *, all_final=False, policy=LAW):
    plan = plan_on(facts, ledger, day, policy)
    return plan, next_review_on(plan, ledger=ledger, all_final=all_final, today=day)


def entry(key, kind, valid_from, valid_until, **fields) -> Entry:
    return Entry(key, kind, 1, valid_from, valid_until, valid_from, **fields)


# --- Boundaries ---------------------------------------------------------------------------------


def test_next_review_complete_renewal_is_the_day_its_first_api_is_due():
    facts = renewal(EXPIRY - timedelta(days=90))
    plan, day = review(facts, [], API_DAY - ONE_DAY)
    assert [item.kind for item in plan.issued] == ["deposit_receipt"]
    assert day == API_DAY


def test_next_review_on_the_due_day_issues_the_api_and_points_at_the_next_one():
    facts = renewal(EXPIRY - timedelta(days=90))
    ledger, keys = [], [1]
    apply_plan(ledger, plan_on(facts, [], API_DAY - ONE_DAY), keys)
    plan, day = review(facts, ledger, API_DAY)
    [api] = plan.issued
    assert (api.kind, api.valid_from) == (API, EXPIRY + ONE_DAY)
    assert day == api.valid_until + ONE_DAY - timedelta(days=15)


def test_next_review_completion_after_the_due_day_is_the_completion_day():
    """The right is established on completion: the first API is due that day, not earlier."""
    completed = EXPIRY + timedelta(days=10)
    facts = renewal(EXPIRY - timedelta(days=90), completed_on=completed)
    assert (
        plan_ledger(
            applications=[replace(facts, completed_on=completed)],
            ledger=[],
            today=EXPIRY,
            policy=LAW,
            api_first_day=EXPIRY + ONE_DAY,
        ).next_due_on
        == completed
    )


def test_next_review_incomplete_renewal_is_never_until_it_changes():
    facts = renewal(EXPIRY - timedelta(days=90), completed_on=None)
    _plan, day = review(facts, [], EXPIRY)
    assert day is None


def test_next_review_filing_dated_tomorrow_is_tomorrow():
    filed = EXPIRY - timedelta(days=90)
    plan = plan_ledger(applications=[renewal(filed)], ledger=[], today=filed - ONE_DAY, policy=LAW)
    assert plan.issued == [] and plan.next_due_on == filed


def test_next_review_adf_is_the_day_its_successor_is_due():
    decided = EXPIRY + timedelta(days=20)
    facts = renewal(EXPIRY - timedelta(days=90), favourable_on=decided)
    plan, day = review(facts, [], decided)
    [adf] = [item for item in plan.issued if item.kind == ADF]
    assert adf.valid_until == months_period_end(decided, 3)
    assert day == adf.valid_until + ONE_DAY - timedelta(days=15)


def test_next_review_adf_with_the_card_handed_over_before_its_successor_is_none_due():
    """No successor is held back; a group all over that issued today is settled tomorrow."""
    decided = EXPIRY + timedelta(days=20)
    facts = renewal(
        EXPIRY - timedelta(days=90), favourable_on=decided, card_handed_over_on=decided + ONE_DAY
    )
    plan, day = review(facts, [], decided + ONE_DAY, all_final=True)
    assert plan.next_due_on is None
    assert day == decided + 2 * ONE_DAY
    assert next_review_on(plan, ledger=[], all_final=False, today=decided + ONE_DAY) is None


def test_next_review_all_final_group_is_the_day_after_its_last_document_in_use():
    api = entry(1, API, EXPIRY + ONE_DAY, EXPIRY + timedelta(days=90))
    plan = Plan(issued=[], ended=[])
    assert next_review_on(plan, ledger=[api], all_final=True, today=EXPIRY) == (
        EXPIRY + timedelta(days=91)
    )
    assert next_review_on(plan, ledger=[api], all_final=False, today=EXPIRY) is None


def test_next_review_all_final_group_ignores_ended_and_expired_documents():
    ended = entry(1, API, EXPIRY, EXPIRY + timedelta(days=90), ended_on=EXPIRY + ONE_DAY)
    expired = entry(2, ADF, EXPIRY - timedelta(days=90), EXPIRY - ONE_DAY)
    plan = Plan(issued=[], ended=[])
    assert next_review_on(plan, ledger=[ended, expired], all_final=True, today=EXPIRY) is None


def test_next_review_all_final_group_with_an_end_in_the_plan_is_never():
    api = entry(1, API, EXPIRY + ONE_DAY, EXPIRY + timedelta(days=90))
    ended = replace(api, ended_on=EXPIRY + ONE_DAY, end_reason=END_REFUSED, end_is_new=True)
    plan = Plan(issued=[], ended=[ended])
    assert next_review_on(plan, ledger=[api], all_final=True, today=EXPIRY) is None


def test_next_review_held_back_day_comes_before_the_settling_day():
    api = entry(1, API, EXPIRY + ONE_DAY, EXPIRY + timedelta(days=90))
    plan = Plan(issued=[], ended=[], next_due_on=EXPIRY + timedelta(days=5))
    assert next_review_on(plan, ledger=[api], all_final=True, today=EXPIRY) == (
        EXPIRY + timedelta(days=5)
    )


# --- Nothing missed: due days only == every day ---------------------------------------------------

FIRST_DAY = EXPIRY - timedelta(days=130)
LAST_DAY = EXPIRY + timedelta(days=400)
POLICIES = [LAW, replace(LAW, issue_on_filing=True), replace(LAW, api_lead_days=30)]


def _day(offset_range=(0, 500)):
    return st.one_of(
        st.none(), st.integers(*offset_range).map(lambda days: FIRST_DAY + timedelta(days=days))
    )


@st.composite
def dossier(draw, application_id: int) -> DossierFacts:
    filed = FIRST_DAY + timedelta(days=draw(st.integers(0, 140)))
    after = st.integers(0, 300).map(lambda days: filed + timedelta(days=days))
    completed = draw(st.one_of(st.none(), after))
    favourable = draw(st.one_of(st.none(), after)) if completed else None
    ended = None if favourable else draw(st.one_of(st.none(), after))
    handed = None
    if favourable is not None:
        handed = draw(
            st.one_of(
                st.none(), st.integers(0, 300).map(lambda days: favourable + timedelta(days=days))
            )
        )
    reopened = None
    if ended is not None:
        reopened = draw(
            st.one_of(st.none(), st.integers(1, 100).map(lambda days: ended + timedelta(days=days)))
        )
    return DossierFacts(
        application_id=application_id,
        filed_on=filed,
        completed_on=completed,
        is_renewal=True,
        permit_expires_on=EXPIRY,
        favourable_on=favourable,
        card_handed_over_on=handed,
        ended_on=ended if reopened is None else None,
        end_reason=draw(st.sampled_from([END_REFUSED, END_CLOSED, END_WITHDRAWN])),
        reopened_on=reopened,
        renewed_online=draw(st.booleans()),
    )


def _as_of(facts: DossierFacts, day: date) -> DossierFacts:
    """As `test_rules.as_of`, with a re-opening: ended before it, open again from it."""
    known = as_of(facts, day)
    if facts.reopened_on is not None and day < facts.reopened_on:
        ended_on = facts.reopened_on - timedelta(days=30)
        if ended_on <= day:
            return replace(known, ended_on=ended_on, reopened_on=None)
    return known


def _changes(facts: list[DossierFacts]) -> set[date]:
    """The days a fact changes: the service marks the dossier dirty, it is swept that day."""
    days = set()
    for item in facts:
        for value in (
            item.filed_on,
            item.completed_on,
            item.favourable_on,
            item.card_handed_over_on,
            item.ended_on,
            item.reopened_on,
        ):
            if value is not None:
                days.add(value)
        if item.reopened_on is not None:
            days.add(item.reopened_on - timedelta(days=30))
    return days


def _final(facts: list[DossierFacts], day: date) -> bool:
    return all(
        (item.ended_on is not None and item.ended_on <= day)
        or (item.card_handed_over_on is not None and item.card_handed_over_on <= day)
        for item in (_as_of(item, day) for item in facts)
    )


def run(facts: list[DossierFacts], policy: Policy, *, due_days_only: bool, late: int = 0):
    """Sweep from the first day to the last; `due_days_only`: only on change and review days.
    Returns each document as (kind, application, validity, end) and the days it was issued
    and its end recorded, and the number of days swept."""
    ledger: list[Entry] = []
    keys, issued_on, ended_on = [1], {}, {}
    changes, review_on, swept = _changes(facts), FIRST_DAY, 0
    day = FIRST_DAY
    while day <= LAST_DAY:
        if not due_days_only or day in changes or (review_on is not None and review_on <= day):
            swept += 1
            before = {item.key: item.ended_on for item in ledger}
            plan = plan_ledger(
                applications=[_as_of(item, day) for item in facts],
                ledger=ledger,
                today=day,
                policy=policy,
                api_first_day=EXPIRY + ONE_DAY,
            )
            snapshot = [replace(item) for item in ledger]
            apply_plan(ledger, plan, keys)
            review_on = next_review_on(
                plan, ledger=snapshot, all_final=_final(facts, day), today=day
            )
            if review_on is not None and late:
                review_on += timedelta(days=late)
            for item in ledger:
                issued_on.setdefault(item.key, day)
                if item.ended_on is not None and before.get(item.key) is None:
                    ended_on.setdefault(item.key, day)
        day += ONE_DAY
    documents = sorted(
        (
            item.kind,
            item.application_id,
            item.valid_from,
            item.valid_until,
            item.issue_on,
            item.ended_on,
            item.end_reason,
            issued_on[item.key],
            ended_on.get(item.key),
        )
        for item in ledger
    )
    return documents, swept


GROUPS = st.integers(1, 2).flatmap(lambda n: st.tuples(*(dossier(i + 1) for i in range(n))))


@settings(max_examples=100, derandomize=True, deadline=None)
@given(facts=GROUPS, policy=st.sampled_from(POLICIES))
def test_next_review_due_days_only_write_the_ledger_of_a_daily_sweep(facts, policy):
    facts = list(facts)
    daily, every_day = run(facts, policy, due_days_only=False)
    due, swept = run(facts, policy, due_days_only=True)
    assert due == daily
    assert swept <= every_day


def test_next_review_one_day_late_misses_a_day():
    """The mutation the proof above must catch, made on purpose: a review one day late issues
    the first API of a plain complete renewal one day after the daily sweep does."""
    facts = [renewal(EXPIRY - timedelta(days=90))]
    daily, _ = run(facts, LAW, due_days_only=False)
    late, _ = run(facts, LAW, due_days_only=True, late=1)
    assert late != daily
