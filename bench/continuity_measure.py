"""What `bench/continuity.py` counts, in its OWN SQL over the tables (never the engine's helpers:
`Attestation.objects.valid_on`, `last_day`, `rules.*` are what is being checked).

A document is valid on day d when:
- an API or ADF: `valid_from <= d <= coalesce(ended_on - 1, valid_until)`;
- the permit renewed: `valid_from <= d <= valid_until`, until the new card is handed over (the
  old card is given back at the desk);
- the new card: handed over on or before d, `valid_from <= d <= valid_until`.

Every person is counted every day: covered by at least one document, or uncovered for a cause
(`CAUSES`). "Two valid documents": two attestations valid at once, an attestation beside the new
card, or an API beside the permit it continues (it must start the day after expiry). An ADF
beside a permit still valid is counted apart (`adf_with_old_permit`): the engine issues the ADF
on the day of a favourable decision even before the permit expires (attestations.rules,
`_plan_adf_chain`); it proves the decision, it does not claim a second residence right.
"""

import random
from datetime import date

PERSON_TABLE = "bench_continuity_person"

# In the order of the table printed; "bug" must stay 0.
CAUSES = (
    ("late_before_expiry", "filed late (after the 60th day), before expiry"),
    ("filed_on_or_after_expiry", "filed on/after expiry, or not filed yet"),
    ("too_early", "first try too early (refused), then filed late"),
    ("incomplete", "filed in time, never complete"),
    ("after_refusal", "after a refusal"),
    ("after_withdrawal", "after a withdrawal"),
    ("bug", "BUG: in time and complete (or favourable), no document"),
)

PERSON_TABLE_CREATE = f"""
DROP TABLE IF EXISTS {PERSON_TABLE};
CREATE TABLE {PERSON_TABLE} (
    user_id integer PRIMARY KEY,
    person_index integer NOT NULL,
    application_id integer UNIQUE,  -- the renewal, once started (NULL before)
    permit_id integer NOT NULL,
    tried_early boolean NOT NULL DEFAULT false
)
"""

DAY_SQL = """
WITH att AS (
    SELECT holder_id,
           count(*) FILTER (WHERE kind = 'api') AS apis,
           count(*) FILTER (WHERE kind = 'adf') AS adfs
    FROM attestations_attestation
    WHERE kind IN ('api', 'adf')
      AND valid_from <= %(d)s
      AND COALESCE(ended_on - 1, valid_until) >= %(d)s
    GROUP BY holder_id
), card AS (
    SELECT DISTINCT c.holder_id
    FROM applications_residencepermit c
    JOIN bench_continuity_person p ON p.user_id = c.holder_id AND c.id <> p.permit_id
    WHERE c.handed_over AND c.handed_over_on <= %(d)s
      AND c.valid_from <= %(d)s AND c.valid_until >= %(d)s
), state AS (
    SELECT p.tried_early,
           COALESCE(att.apis, 0) AS apis,
           COALESCE(att.adfs, 0) AS adfs,
           card.holder_id IS NOT NULL AS new_card,
           (old.valid_from <= %(d)s AND old.valid_until >= %(d)s
            AND card.holder_id IS NULL) AS old_permit,
           old.valid_until AS expiry,
           (a.filed_at AT TIME ZONE 'Europe/Paris')::date AS filed_on,
           a.first_completed_at IS NOT NULL AS complete_once,
           a.status
    FROM bench_continuity_person p
    LEFT JOIN applications_application a ON a.id = p.application_id
    JOIN applications_residencepermit old ON old.id = p.permit_id
    LEFT JOIN att ON att.holder_id = p.user_id
    LEFT JOIN card ON card.holder_id = p.user_id
)
SELECT CASE
           WHEN apis + adfs + new_card::int + old_permit::int >= 1 THEN 'covered'
           WHEN status = 'withdrawn' THEN 'after_withdrawal'
           WHEN status IN ('unfavourable', 'closed') THEN 'after_refusal'
           WHEN status IN ('favourable', 'card_available', 'closed_card_handed_over') THEN 'bug'
           WHEN filed_on IS NULL OR filed_on >= expiry THEN
               CASE WHEN tried_early THEN 'too_early' ELSE 'filed_on_or_after_expiry' END
           WHEN filed_on > expiry - 60 THEN
               CASE WHEN tried_early THEN 'too_early' ELSE 'late_before_expiry' END
           WHEN NOT complete_once THEN 'incomplete'
           ELSE 'bug'
       END AS cause,
       count(*) AS people,
       count(*) FILTER (WHERE apis + adfs + new_card::int >= 2
                           OR (old_permit AND apis >= 1)) AS two_valid,
       count(*) FILTER (WHERE old_permit AND adfs >= 1) AS adf_with_old_permit
FROM state
GROUP BY 1
"""

# Half the sample among documents starting or ending within 3 days (where mistakes hide), half
# among all; `mine`: valid on d by this file's definition.
SAMPLE_SQL = """
(SELECT id, (valid_from <= %(d)s AND COALESCE(ended_on - 1, valid_until) >= %(d)s) AS mine
 FROM attestations_attestation
 WHERE kind IN ('api', 'adf')
   AND (valid_from BETWEEN %(d)s - 3 AND %(d)s + 3
        OR COALESCE(ended_on - 1, valid_until) BETWEEN %(d)s - 3 AND %(d)s + 3)
 ORDER BY md5(number) LIMIT %(near)s)
UNION
(SELECT id, (valid_from <= %(d)s AND COALESCE(ended_on - 1, valid_until) >= %(d)s) AS mine
 FROM attestations_attestation
 WHERE kind IN ('api', 'adf') AND id %% 97 = %(bucket)s
 ORDER BY md5(number) LIMIT %(far)s)
"""


def person_table_create(cursor) -> None:
    cursor.execute(PERSON_TABLE_CREATE)


def person_table_fill(cursor, rows: list[tuple[int, int, int]]) -> None:
    """(user_id, person_index, permit_id) for every person (the renewal comes later)."""
    statement = f"COPY {PERSON_TABLE} (user_id, person_index, permit_id) FROM STDIN"
    with cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(f"ANALYZE {PERSON_TABLE}")


def tried_early_record(cursor, user_id: int) -> None:
    statement = f"UPDATE {PERSON_TABLE} SET tried_early = true WHERE user_id = %s"  # noqa: S608
    cursor.execute(statement, [user_id])


def application_record(cursor, user_id: int, application_id: int) -> None:
    """The person's renewal, started on the day they first try to file."""
    statement = f"UPDATE {PERSON_TABLE} SET application_id = %s WHERE user_id = %s"  # noqa: S608
    cursor.execute(statement, [application_id, user_id])


# Who the real reminders service told something today, by e-mail: the notification log's rows
# written on that day (Paris time), read here with this file's own SQL.
REMINDED_SQL = """
SELECT p.person_index, n.kind
FROM anef_notificationlog n
JOIN bench_continuity_person p ON p.user_id = n.person_id
WHERE n.channel = 'email' AND n.kind LIKE 'renewal%%'
  AND (n.created_at AT TIME ZONE 'Europe/Paris')::date = %(d)s
ORDER BY p.person_index
"""


def reminded_on(cursor, day: date) -> list[tuple[int, str]]:
    """(person index, kind) of every renewal reminder e-mailed on `day`."""
    cursor.execute(REMINDED_SQL, {"d": day})
    return cursor.fetchall()


def day_figures(cursor, day: date) -> dict[str, int]:
    """Person-days of one day: covered, each cause, two valid documents, ADF beside permit."""
    cursor.execute(DAY_SQL, {"d": day})
    figures = {"people": 0, "two_valid": 0, "adf_with_old_permit": 0}
    for cause, people, two_valid, adf_with_old_permit in cursor.fetchall():
        figures[cause] = figures.get(cause, 0) + people
        figures["people"] += people
        figures["two_valid"] += two_valid
        figures["adf_with_old_permit"] += adf_with_old_permit
    return figures


def verification_check(cursor, day: date, sample: int, rng: random.Random) -> tuple[int, list]:
    """Ask the public answer (`attestations.verification.verification_facts_for`, what /verify
    and the JSON API show) about `sample` attestations for `day`; compare « valid » with this
    file's SQL. Returns (checked, contradictions as (number, day, status, mine))."""
    from attestations.models import Attestation
    from attestations.verification import verification_facts_for

    if sample <= 0:
        return 0, []
    cursor.execute(
        SAMPLE_SQL,
        {"d": day, "near": sample - sample // 2, "far": sample // 2, "bucket": rng.randrange(97)},
    )
    mine = dict(cursor.fetchall())
    rows = Attestation.objects.select_related("prefecture", "ground").filter(pk__in=mine)
    contradictions = []
    for attestation in rows:
        facts = verification_facts_for(attestation, today=day)
        if (facts.status == "valid") != mine[attestation.pk]:
            contradictions.append((attestation.number, day, facts.status, mine[attestation.pk]))
    return len(mine), contradictions
