"""The people of `bench/continuity.py` and what they and the prefecture will do: pure Python, no
database, no clock. Every figure below is an assumption of the benchmark (not a measurement of
the real flow), chosen to look like what prefectures report; change them here, in one place.

Days are integers: 0 is the first counted day (`continuity.START`); negative days belong to the
warm-up, simulated but not counted. A person's draws come from a random generator seeded by
(seed, person), so that a run with faults, or with another reminder response rate, plays exactly
the same people and the same decisions; only what the option changes differs.
"""

import math
import random
from dataclasses import dataclass

NATIONAL_RENEWALS_PER_YEAR = 885_000

# R. 431-5 1° (applications.rules.FilingPolicy): from the 120th to the 60th day before expiry.
WINDOW_OPENS = 120
WINDOW_CLOSES = 60

# When people first try to file, in days before the permit's expiry (negative: after it).
FILING_INTENTS = (
    # (intent, share, earliest, latest) — days before expiry, both included
    ("early", 0.03, 121, 180),  # refused by application_submit ("too early"), come back later
    ("in_time", 0.84, WINDOW_CLOSES, WINDOW_OPENS),
    ("late_before", 0.08, 1, WINDOW_CLOSES - 1),
    ("after", 0.05, -60, 0),  # on the day of expiry or after it
)
EARLY_COME_BACK_IN_TIME = 0.75  # the others come back after the window closed
COMPLETE_SHARES = (
    # (share, earliest, latest) days from filing to completeness; the rest is never complete
    (0.55, 0, 7),
    (0.30, 8, 45),
    (0.10, 46, 150),
)
CORRECTION_AFTER_COMPLETION = 0.15  # asked 5-40 days after, answered 2-25 days later
# Instruction, from the first completeness to the decision: log-normal, median 70 days, 5 % over
# a year (ln(365/70) / 1.645 = 1.0).
INSTRUCTION_MEDIAN_DAYS = 70
INSTRUCTION_SIGMA = math.log(365 / INSTRUCTION_MEDIAN_DAYS) / 1.645
FAVOURABLE = 0.90
CARD_MEDIAN_DAYS, CARD_SIGMA = 25, 0.5  # favourable decision → card available
HANDOVER_MEDIAN_DAYS, HANDOVER_SIGMA = 8, 0.9  # card available → handed over
MOVES = 0.08  # an address change, 10-200 days after filing; a quarter leave Paris for 93
WITHDRAWS = 0.01  # 10-120 days after filing, if still undecided


@dataclass
class Person:
    """One renewal. Days are absolute simulation days; delays are in days."""

    index: int
    expiry: int  # last day of the permit held
    intent: str  # FILING_INTENTS
    attempt: int  # first try to file
    retry: int | None  # an early filer's second try
    complete_after: int | None  # days from filing to completeness (None: never)
    correction: tuple[int, int, int] | None  # (ask after completion, answer after, recomplete)
    instruction: int  # days from first completeness to the decision
    favourable: bool
    card_after: int
    handover_after: int
    move_after: int | None
    move_to_93: bool
    withdraw_after: int | None
    reminded: bool = False  # would have been late; filed in time after a reminder (ASSUMPTION)

    @property
    def filing_day(self) -> int:
        """The day the renewal is really filed (an early filer's retry)."""
        return self.retry if self.retry is not None else self.attempt


def _lognormal_days(rng: random.Random, median: float, sigma: float, minimum: int = 1) -> int:
    return max(minimum, round(rng.lognormvariate(math.log(median), sigma)))


def _intent(rng: random.Random) -> tuple[str, int]:
    draw = rng.random()
    for intent, share, earliest, latest in FILING_INTENTS:
        if draw < share:
            return intent, rng.randint(earliest, latest)
        draw -= share
    intent, _share, earliest, latest = FILING_INTENTS[-1]
    return intent, rng.randint(earliest, latest)


def person_draw(index: int, *, seed: int, first_day: int, last_day: int) -> Person:
    """One person: expiry spread evenly so that renewals are filed at a steady rate."""
    rng = random.Random(f"{seed}:{index}")  # noqa: S311 - a simulation, not secrets
    expiry = rng.randint(first_day + WINDOW_OPENS, last_day + WINDOW_OPENS)
    intent, before = _intent(rng)
    attempt = expiry - before
    retry = None
    if intent == "early":
        if rng.random() < EARLY_COME_BACK_IN_TIME:
            retry = expiry - rng.randint(WINDOW_OPENS - 30, WINDOW_OPENS)
        else:
            retry = expiry - rng.randint(-30, WINDOW_CLOSES - 1)
    complete_after = None
    draw = rng.random()
    for share, earliest, latest in COMPLETE_SHARES:
        if draw < share:
            complete_after = rng.randint(earliest, latest)
            break
        draw -= share
    correction = None
    if rng.random() < CORRECTION_AFTER_COMPLETION:
        correction = (rng.randint(5, 40), rng.randint(2, 25), rng.randint(1, 10))
    moves = rng.random() < MOVES
    withdraws = rng.random() < WITHDRAWS
    return Person(
        index=index,
        expiry=expiry,
        intent=intent,
        attempt=max(attempt, first_day),
        retry=max(retry, first_day + 1) if retry is not None else None,
        complete_after=complete_after,
        correction=correction,
        instruction=_lognormal_days(rng, INSTRUCTION_MEDIAN_DAYS, INSTRUCTION_SIGMA),
        favourable=rng.random() < FAVOURABLE,
        card_after=_lognormal_days(rng, CARD_MEDIAN_DAYS, CARD_SIGMA),
        handover_after=_lognormal_days(rng, HANDOVER_MEDIAN_DAYS, HANDOVER_SIGMA, minimum=0),
        move_after=rng.randint(10, 200) if moves else None,
        move_to_93=rng.random() < 0.25,
        withdraw_after=rng.randint(10, 120) if withdraws else None,
    )


# --- Renewal reminders: the real service sends, the response is ASSUMED -------------------------
#
# The reminders are the real ones (`applications.reminders.services.renewal_reminders_send`,
# called each simulated day by `continuity_play.py`; who was reminded is read back from the
# notification log with the benchmark's own SQL). What a person does after a reminder is NOT
# measured anywhere: with probability `rate` (the same draw for every rate: the 25 % responders
# are among the 50 %), a would-be late filer who is actually reminded files in time instead, on a
# day between the reminder and the window's last day. ASSUMPTION, not a measurement.


def would_file_late(person: Person) -> bool:
    """Those a reminder could help: a first try or a retry after the window closed."""
    return person.intent in ("late_before", "after") or (
        person.intent == "early" and person.expiry - person.filing_day < WINDOW_CLOSES
    )


def reminder_response_day(person: Person, reminded_on: int, rate: float, *, seed: int):
    """The day this person files after a reminder received on `reminded_on`, or None: they do
    not respond (or were not going to file late anyway). ASSUMPTION."""
    if rate <= 0 or not would_file_late(person):
        return None
    closes = person.expiry - WINDOW_CLOSES
    if reminded_on > closes:
        return None
    draw = random.Random(f"{seed}:{person.index}:reminder").random()  # noqa: S311
    if draw >= rate:
        return None
    return reminded_on + round(draw / rate * (closes - reminded_on))


def population_draw(count: int, *, seed: int, first_day: int, last_day: int) -> list[Person]:
    return [
        person_draw(index, seed=seed, first_day=first_day, last_day=last_day)
        for index in range(count)
    ]


def population_size(scale: float, *, days: int, warmup: int) -> int:
    """`scale` of the national flow of renewals, over the counted days and the warm-up."""
    return max(1, round(scale * NATIONAL_RENEWALS_PER_YEAR * (days + warmup) / 365))
