"""Property: production's one spell merge, run on the database, equals the plain-Python reference
(tests/unit/retention/reference.py) on many random assignment histories (seeded), on either
engine -- spell by spell, dates, durations, team, band and leaving reason, for lived-experience
roles and for the others, through every production entry point (fetch_spells, and the report's
fetch_spell_columns with and without team and band).

The histories are drawn around the as-of dates so that the edge cases come up often: gaps of
exactly 31 and 32 days (from the latest end so far), overlaps, nested assignments, equal dates
(the assignment number decides, in code-point order), ends on, just before and after as_of,
starts on, just after and beyond as_of + 31 days, non-lived-experience posts between
lived-experience ones, and open-ended assignments. Each seed's data must show every one of them.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from peerwork.core.tables import Person
from peerwork.retention.query import fetch_spell_columns, fetch_spells
from peerwork.retention.survival import OPEN_END
from peerwork.workforce.importer import import_assignments
from tests.factories import csv_text, make_org
from tests.unit.retention.reference import AssignmentRecord, build_spells

AS_OF_DATES = (date(2024, 6, 30), date(2023, 3, 31), date(2024, 2, 29))
SEEDS = (101, 202, 303, 404)
PEOPLE = 220  # histories per seed
NUMBER_PREFIXES = "aBzZ"  # mixed case: code-point order is not a collation's


def history(rng: random.Random, p: int) -> list[tuple[AssignmentRecord, bool]]:
    """One person's assignments, (record, is lived-experience) pairs, valid as the app requires
    (no end before its start; assignment numbers unique in the organisation)."""
    anchor = rng.choice(AS_OF_DATES)
    day = anchor - timedelta(days=rng.choice([rng.randrange(0, 3000), rng.randrange(0, 120), 0, 31, 32, -1, -31]))
    rows: list[tuple[AssignmentRecord, bool]] = []
    nested_in: date | None = None  # the end the next assignment must finish by (nested)
    for n in range(rng.randint(1, 7)):
        length = rng.choice([0, 1, 30, 31, 32, 365, 366, rng.randrange(0, 90), rng.randrange(90, 1500)])
        end: date | None = day + timedelta(days=length)
        roll = rng.random()
        if nested_in is not None:
            end = day + timedelta(days=rng.randrange(0, (nested_in - day).days + 1))
        elif roll < 0.15:
            end = None  # open-ended
        elif roll < 0.3:  # around as_of
            end = max(day, anchor + timedelta(days=rng.choice([-32, -31, -1, 0, 1, 31, 32, 200])))
        team, band = rng.choice(["Oak Ward", "Ash Team", "Elm", None]), rng.choice(["3", "4", "8a", None])
        reason = rng.choice(["Voluntary Resignation - Health", "Retirement", "Dismissal", None])
        number = f"{rng.choice(NUMBER_PREFIXES)}{p:04d}-{n}"
        is_le = rng.random() < 0.75
        rows.append((AssignmentRecord(f"E{p:04d}", number, day, end, team, band, reason), is_le))
        if rng.random() < 0.1:  # the same dates again, another post: the tie-break decides
            rows.append((AssignmentRecord(f"E{p:04d}", number + rng.choice("xX"), day, end, rng.choice(["Willow", None]),
                                          band, rng.choice(["Redundancy", None])), is_le))
        step = rng.choice(["gap", "gap", "overlap", "nested", "same-start", "after-as-of"])
        nested_in = None
        if end is None:
            step = rng.choice(["overlap", "same-start"])  # nothing follows an open post without overlapping it
        if step == "gap":  # from this end; the latest end so far may be later (an earlier long post)
            day = end + timedelta(days=rng.choice([1, 2, 30, 31, 31, 32, 32, 33, rng.randrange(34, 400)]))
        elif step == "overlap":
            day = day + timedelta(days=rng.randrange(0, (end - day).days + 1 if end else 400))
        elif step == "nested":
            day, nested_in = day + timedelta(days=rng.randrange(0, (end - day).days + 1)), end
        elif step == "after-as-of":
            day = max(day, anchor + timedelta(days=rng.choice([1, 15, 31, 32, 60])))
    return rows


def generate(seed: int) -> list[tuple[AssignmentRecord, bool]]:
    rng = random.Random(seed)
    return [row for p in range(PEOPLE) for row in history(rng, p)]


def edge_cases(rows: list[tuple[AssignmentRecord, bool]]) -> Counter:
    """How often each edge case the property is about occurs in the data."""
    seen: Counter = Counter()
    by_person: dict[str, list[tuple[AssignmentRecord, bool]]] = {}
    for record, is_le in rows:
        by_person.setdefault(record.person, []).append((record, is_le))
    for person_rows in by_person.values():
        person_rows.sort(key=lambda row: row[0].start)
        for is_le in (True, False):  # each role's assignments are merged apart from the other's
            latest_end, open_so_far = None, False
            for record, _ in (row for row in person_rows if row[1] == is_le):
                if open_so_far:
                    seen["overlap"] += 1
                elif latest_end is not None:
                    gap = (record.start - latest_end).days  # from the latest end so far
                    seen["gap of 31"] += gap == 31
                    seen["gap of 32"] += gap == 32
                    seen["overlap"] += gap <= 0
                    seen["nested"] += record.end is not None and record.end <= latest_end
                if record.end is None:
                    open_so_far = True
                elif latest_end is None or record.end > latest_end:
                    latest_end = record.end
        flags = [is_le for _, is_le in person_rows]
        seen["non-LE between LE"] += any(flags[i] and not flags[i + 1] and any(flags[i + 2:]) for i in range(len(flags) - 1))
        for record, _ in person_rows:
            seen["open-ended"] += record.end is None
            for as_of in AS_OF_DATES:
                seen["end after as_of"] += record.end is not None and record.start <= as_of < record.end
                seen["end on as_of"] += record.end == as_of
                seen["start after as_of"] += as_of < record.start <= as_of + timedelta(days=31)
                seen["start beyond as_of + 31"] += record.start > as_of + timedelta(days=31)
    numbers = Counter((r.person, r.start, r.end) for r, _ in rows)
    seen["tied dates"] = sum(1 for n in numbers.values() if n > 1)
    return seen


def as_csv(rows: list[tuple[AssignmentRecord, bool]]) -> str:
    def line(r: AssignmentRecord, is_le: bool) -> str:
        title = "Peer Support Worker" if is_le else "Healthcare Assistant"
        return ",".join([
            r.assignment_number, r.person, title, "Y" if is_le else "N", r.band or "", r.team or "",
            r.start.isoformat(), r.end.isoformat() if r.end else "", r.leaving_reason or "", "1",
        ])

    return csv_text(*(line(r, is_le) for r, is_le in rows))


def spell_tuples(spells, names=None) -> list[tuple]:
    return sorted(
        ((names or {}).get(s.person, s.person), s.start, s.end, s.duration_days, s.team, s.band, s.leaving_reason)
        for s in spells
    )


def column_tuples(columns) -> list[tuple]:
    return sorted(zip(columns.start.tolist(), columns.end.tolist(), columns.duration.tolist(), columns.team,
                      columns.band, columns.leaving_reason), key=repr)


def spells_as_columns(spells, labels: bool) -> list[tuple]:
    return sorted(((s.start.toordinal(), OPEN_END if s.end is None else s.end.toordinal(), s.duration_days,
                    s.team if labels else None, s.band if labels else None, s.leaving_reason) for s in spells), key=repr)


def test_the_generated_histories_hold_every_edge_case():
    for seed in SEEDS:
        seen = edge_cases(generate(seed))
        missing = [case for case in ("gap of 31", "gap of 32", "overlap", "nested", "non-LE between LE", "open-ended",
                                     "end after as_of", "end on as_of", "start after as_of", "start beyond as_of + 31",
                                     "tied dates") if seen[case] < 3]
        assert not missing, (seed, missing, seen)


@pytest.mark.parametrize("seed", SEEDS)
async def test_the_production_merge_on_the_database_equals_the_reference(seed):
    rows = generate(seed)
    org = await make_org()
    imported = await import_assignments(org.id, as_csv(rows))
    assert imported.ok and imported.created == len(rows), imported.errors
    people = await Person.select(Person.id, Person.employee_number).where(Person.organisation == org.id)
    names = {str(p["id"]): p["employee_number"] for p in people}
    as_of_dates = AS_OF_DATES + tuple(d + timedelta(days=k) for d in AS_OF_DATES[:1] for k in (-31, 1, 32))
    for as_of in as_of_dates:
        for lived_experience in (True, False):
            expected = build_spells([r for r, is_le in rows if is_le == lived_experience], as_of)
            assert expected and any(s.left for s in expected) and any(not s.left for s in expected)
            fetched = await fetch_spells(org.id, as_of, lived_experience=lived_experience)
            assert spell_tuples(fetched, names) == spell_tuples(expected), (as_of, lived_experience)
            # Ordered by person, then start, as the reference is (person ids, not numbers, order them).
            assert [(s.person, s.start) for s in fetched] == sorted((s.person, s.start) for s in fetched)
            for labels in (True, False):
                columns = await fetch_spell_columns(org.id, as_of, lived_experience=lived_experience, labels=labels)
                assert column_tuples(columns) == spells_as_columns(expected, labels), (as_of, lived_experience, labels)
