"""The sweep by due dates (issue 16): a dossier is looked at when it changed, was never swept, or
its next review day (`attestations_next_review_on`) has come; several workers sweep disjoint
shards; whole histories swept only when due write the ledger of a sweep run every day."""

import contextlib
import datetime
import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications import services as dossier
from applications.enums import ApplicationStatus
from applications.models import Application
from attestations.models import Attestation
from attestations.services import attestations_sweep, sweep
from attestations.tasks import sweep_attestations
from reference.models import DecisionReason
from tests.accounts.factories import PrefectureAgentFactory
from tests.attestations.factories import api_due_day, renewal
from tests.attestations.test_ledger_histories import LedgerHistory, noon

TODAY = datetime.date.today()
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def agent(reference_data):
    return PrefectureAgentFactory(prefecture__departement_code="75")


def _review_day(application) -> datetime.date | None:
    application.refresh_from_db()
    return application.attestations_next_review_on


@pytest.mark.django_db
def test_sweep_stores_the_first_api_due_day_as_next_review(agent):
    application = renewal(agent, today=TODAY, expires_in_days=70)
    attestations_sweep(today=TODAY)
    assert _review_day(application) == api_due_day(application)


@pytest.mark.django_db
def test_sweep_leaves_a_dossier_not_yet_due_alone_until_its_review_day(agent):
    application = renewal(agent, today=TODAY, expires_in_days=70)
    attestations_sweep(today=TODAY)
    due = api_due_day(application)
    assert attestations_sweep(today=due - ONE_DAY).applications == 0
    report = attestations_sweep(today=due)
    assert (report.applications, report.issued) == (1, 1)
    assert application.attestations.filter(kind="api", issue_on=due).count() == 1


@pytest.mark.django_db
def test_sweep_dirty_dossier_is_swept_before_its_review_day(agent):
    application = renewal(agent, today=TODAY, expires_in_days=70)
    attestations_sweep(today=TODAY)
    Application.objects.filter(pk=application.pk).update(attestations_dirty=True)
    assert attestations_sweep(today=TODAY + ONE_DAY).applications == 1


@pytest.mark.django_db
def test_sweep_incomplete_renewal_has_no_review_day_until_it_changes(agent):
    application = renewal(agent, today=TODAY, expires_in_days=70, complete=False)
    attestations_sweep(today=TODAY)
    assert _review_day(application) is None
    assert attestations_sweep(today=TODAY + 200 * ONE_DAY).applications == 0


@pytest.mark.django_db
def test_sweep_refused_dossier_is_settled_without_a_review_day(agent):
    application = renewal(agent, today=TODAY, expires_in_days=10)
    attestations_sweep(today=TODAY)
    dossier.application_decide_unfavourable(
        application=application,
        actor=agent,
        reason=DecisionReason.objects.filter(kind="refusal").first(),
        explanation="x",
        legal_basis="y",
        remedies="z",
    )
    attestations_sweep(today=TODAY)
    application.refresh_from_db()
    assert application.attestations_swept_on == sweep.NEVER_AGAIN
    assert application.attestations_next_review_on is None


@pytest.mark.django_db
def test_foreigner_number_attached_marks_the_persons_dossiers_dirty(agent):
    application = renewal(agent, today=TODAY, expires_in_days=10)
    attestations_sweep(today=TODAY)
    profile = application.applicant.applicant_profile
    profile.foreigner_number = None
    profile.save(update_fields=["foreigner_number"])
    dossier.foreigner_number_attach(profile=profile, number="7700000042", actor=agent)
    application.refresh_from_db()
    assert application.attestations_dirty


# --- Shards ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sweep_two_shards_cover_every_dossier_exactly_once(agent):
    applications = [renewal(agent, today=TODAY) for _ in range(7)]
    due = api_due_day(applications[0])
    claimed_by = {}
    for shard in (0, 1):
        with mock.patch.object(sweep, "_sync_batch", wraps=sweep._sync_batch) as spy:
            attestations_sweep(today=due, shard=shard, shards=2, batch_size=2)
        claimed_by[shard] = [pk for call in spy.call_args_list for pk in call.args[0]]
    every = sorted(app.pk for app in applications)
    assert sorted(claimed_by[0] + claimed_by[1]) == every
    assert all(pk % 2 == 0 for pk in claimed_by[0]) and all(pk % 2 for pk in claimed_by[1])
    assert Attestation.objects.filter(kind="api").count() == 7
    assert attestations_sweep(today=due).applications == 0


@pytest.mark.django_db
def test_sweep_shard_out_of_range_is_refused(agent):
    with pytest.raises(ValueError, match="shard"):
        attestations_sweep(today=TODAY, shard=2, shards=2)


@pytest.mark.django_db
def test_sweep_task_enqueues_one_task_per_shard(settings):
    settings.ATTESTATION_SWEEP_SHARDS = 3
    with mock.patch.object(sweep_attestations, "delay") as delay:
        assert sweep_attestations() == 0
    assert [call.kwargs for call in delay.call_args_list] == [
        {"shard": 0, "shards": 3},
        {"shard": 1, "shards": 3},
        {"shard": 2, "shards": 3},
    ]


@pytest.mark.django_db
def test_sweep_task_with_one_shard_sweeps_at_once(agent, settings):
    settings.ATTESTATION_SWEEP_SHARDS = 1
    renewal(agent, today=TODAY)
    with mock.patch.object(sweep_attestations, "delay") as delay:
        assert sweep_attestations() == 1  # the deposit receipt
    delay.assert_not_called()


# --- Progress -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sweep_command_progress_prints_claimed_issued_rate_and_eta(agent):
    for _ in range(3):
        renewal(agent, today=TODAY)
    err, out = io.StringIO(), io.StringIO()
    call_command("sweep_attestations", "--progress", "--batch-size", "1", stdout=out, stderr=err)
    first = err.getvalue().splitlines()[0]  # once a second at most: one line in this short run
    assert first.startswith("1/3 dossiers claimed, 1 issued, ")
    assert "/s, ETA " in first
    assert "3 dossiers looked at" in out.getvalue()


# --- Whole histories: swept when due == swept every day -----------------------------------


class DailyHistory(LedgerHistory):
    """A ledger history whose sweep runs every single day (it claims only what is due)."""

    def time_passes(self, days, mode="daily"):
        for _ in range(days):
            self.day += ONE_DAY
            with noon(self.day):
                attestations_sweep(today=self.day)


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("time_passes"), st.fixed_dictionaries({"days": st.integers(1, 120)})),
        st.tuples(st.just("mark_complete"), st.fixed_dictionaries({"index": st.integers(0, 1)})),
        st.tuples(st.just("ask_a_correction"), st.fixed_dictionaries({"index": st.integers(0, 1)})),
        st.tuples(
            st.just("answer_the_correction"), st.fixed_dictionaries({"index": st.integers(0, 1)})
        ),
        st.tuples(
            st.just("move"),
            st.fixed_dictionaries({"postal_code": st.sampled_from(["75020", "93200"])}),
        ),
        st.tuples(st.just("foreigner_number_attached"), st.just({})),
        st.tuples(
            st.just("end_without_card"),
            st.fixed_dictionaries(
                {
                    "index": st.integers(0, 1),
                    "kind": st.sampled_from(["refuse", "close", "withdraw"]),
                }
            ),
        ),
        st.tuples(st.just("reopen"), st.fixed_dictionaries({"index": st.integers(0, 1)})),
        st.tuples(
            st.just("decide_favourably"), st.fixed_dictionaries({"index": st.integers(0, 1)})
        ),
        st.tuples(
            st.just("card"),
            st.fixed_dictionaries({"index": st.integers(0, 1), "handed_after": st.integers(0, 2)}),
        ),
    ),
    min_size=1,
    max_size=8,
)
START = st.fixed_dictionaries(
    {
        "expiry": st.dates(datetime.date(2026, 12, 20), datetime.date(2028, 3, 10)),
        "filed_days_before": st.integers(60, 120),
        "two_applications": st.booleans(),
        "complete_at_once": st.booleans(),
    }
)


def play(start: dict, steps: list, *, every_dossier_every_day: bool):
    """The history's ledger, each document with the days it was issued and its end recorded,
    and how many dossiers the sweeps claimed in all."""
    old_rule = lambda today: ~Q(status=ApplicationStatus.DRAFT)  # noqa: E731 - the daily rescan
    with (
        mock.patch.object(sweep, "_sync_batch", wraps=sweep._sync_batch) as spy,
        mock.patch.object(sweep, "sweepable", old_rule)
        if every_dossier_every_day
        else contextlib.nullcontext(),
    ):
        history = DailyHistory()
        try:
            history.start(**start)
            for name, arguments in steps:
                if name == "foreigner_number_attached" and history.profile.foreigner_number:
                    continue
                getattr(history, name)(**arguments)
            history.time_passes(40)
            position = {pk: index for index, pk in enumerate(history.applications)}
            rows = Attestation.objects.filter(holder=history.profile.user).order_by(
                "kind", "valid_from", "pk"
            )
            ledger = [
                (
                    row.kind,
                    position[row.application_id],
                    row.valid_from,
                    row.valid_until,
                    row.issue_on,
                    row.ended_on,
                    row.end_reason,
                    row.issued_at.date(),
                    row.end_recorded_at.date() if row.end_recorded_at else None,
                )
                for row in rows
            ]
        finally:
            history.teardown()
        claimed = sum(len(call.args[0]) for call in spy.call_args_list)
    return ledger, claimed


BOUNDED_HISTORIES = 4


@pytest.mark.django_db
def test_sweep_due_days_only_write_the_ledger_of_a_sweep_of_every_dossier_every_day(
    reference_data,
):
    asked = settings().max_examples
    examples = asked if asked > 100 else BOUNDED_HISTORIES

    @settings(
        max_examples=examples,
        derandomize=examples == BOUNDED_HISTORIES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(start=START, steps=STEPS)
    def same_ledger(start, steps):
        every_day, all_claimed = play(start, steps, every_dossier_every_day=True)
        due_only, due_claimed = play(start, steps, every_dossier_every_day=False)
        assert due_only == every_day
        assert due_claimed < all_claimed

    same_ledger()
