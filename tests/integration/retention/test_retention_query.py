"""Retention from the database equals the pure computation on the reference merge
(tests/unit/retention/reference.py), on either engine."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from peerwork.core.errors import InvalidInput
from peerwork.workforce.importer import import_assignments
from peerwork.retention.survival import period_figures
from peerwork.retention.query import fetch_spells, period_report, retention_report
from peerwork.retention.report import OTHER_ROLES, build_retention_report
from peerwork.core.tables import Person
from tests.factories import csv_text, make_org
from tests.unit.retention.reference import AssignmentRecord, build_spells

AS_OF_DATES = [date(2024, 2, 29), date(2022, 3, 31)]


def generated_rows(seed: int, people: int = 250) -> list[tuple[AssignmentRecord, bool]]:
    """(assignment, is lived-experience) pairs: role moves, gaps either side of 31 days, overlaps,
    open posts, leap days, concurrent posts with the same dates, starts after every as-of date."""
    rng = random.Random(seed)
    rows = []
    for p in range(people):
        day = date(2016, 1, 1) + timedelta(days=rng.randrange(0, 3100))
        if rng.random() < 0.05:
            day = date(rng.choice([2016, 2020, 2024]), 2, 29)
        for n in range(rng.randint(1, 4)):
            end = day + timedelta(days=rng.choice([rng.randrange(0, 100), rng.randrange(100, 1400), 365, 366]))
            end = end if rng.random() < 0.85 else None
            record = AssignmentRecord(
                person=f"E{p:04d}", assignment_number=f"{rng.choice('aB')}{p:04d}-{n}", start=day, end=end,
                team=rng.choice(["Oak Ward", "Ash Team", None]), band=rng.choice(["3", "4", "8a", None]),
                leaving_reason=rng.choice(["Voluntary Resignation - Health", "Retirement", None]),
            )
            is_le = rng.random() < 0.7
            rows.append((record, is_le))
            if rng.random() < 0.1:  # a concurrent post with identical dates: the tie-break decides
                twin = AssignmentRecord(**{**record.__dict__, "assignment_number": record.assignment_number + "x",
                                           "team": "Elm Ward", "leaving_reason": "Dismissal"})
                rows.append((twin, is_le))
            if end is None:
                break
            gap = rng.choice([rng.randint(29, 34), rng.randint(-150, 0), rng.randint(35, 400)])
            day = max(end + timedelta(days=gap), day)
    return rows


def as_csv(rows: list[tuple[AssignmentRecord, bool]]) -> str:
    def line(r: AssignmentRecord, is_le: bool) -> str:
        title = "Peer Support Worker" if is_le else "Healthcare Assistant"
        return ",".join([
            r.assignment_number, r.person, title, "Y" if is_le else "N", r.band or "", r.team or "",
            r.start.isoformat(), r.end.isoformat() if r.end else "", r.leaving_reason or "", "1",
        ])

    return csv_text(*(line(r, is_le) for r, is_le in rows))


async def load(rows) -> object:
    org = await make_org()
    report = await import_assignments(org.id, as_csv(rows))
    assert report.ok and report.created == len(rows), report.errors
    return org


async def employee_numbers(org_id) -> dict[str, str]:
    people = await Person.select(Person.id, Person.employee_number).where(Person.organisation == org_id)
    return {str(p["id"]): p["employee_number"] for p in people}


def comparable(spells, names=None):
    return sorted(
        ((names or {}).get(s.person, s.person), s.start, s.end, s.duration_days, s.team, s.band, s.leaving_reason)
        for s in spells
    )


@pytest.mark.parametrize("as_of", AS_OF_DATES)
async def test_spells_from_the_database_equal_the_reference_merge(as_of):
    rows = generated_rows(seed=7)
    org = await load(rows)
    names = await employee_numbers(org.id)
    for lived_experience in (True, False):
        expected = build_spells([r for r, is_le in rows if is_le == lived_experience], as_of)
        fetched = await fetch_spells(org.id, as_of, lived_experience=lived_experience)
        assert comparable(fetched, names) == comparable(expected)


@pytest.mark.parametrize("as_of", AS_OF_DATES)
async def test_report_equals_the_pure_report_on_the_same_rows(as_of):
    rows = generated_rows(seed=11)
    org = await load(rows)
    period = (date(as_of.year - 1, 4, 1), as_of)
    report = await retention_report(org.id, as_of, period=period)
    expected = build_retention_report(
        build_spells([r for r, is_le in rows if is_le], as_of), as_of, period=period, organisation_id=str(org.id),
    )
    assert report.spells > 100 and report.leavers > 0 and report.in_post > 0
    assert report.to_dict() == expected.to_dict()

    others = await retention_report(org.id, as_of, by=("band",), lived_experience=False)
    expected_others = build_retention_report(
        build_spells([r for r, is_le in rows if not is_le], as_of), as_of, by=("band",), roles=OTHER_ROLES,
        organisation_id=str(org.id),
    )
    assert others.to_dict() == expected_others.to_dict() and list(others.breakdowns) == ["band"]


def record(person: str, number: str, start: str, end: str | None = None, **extra) -> AssignmentRecord:
    return AssignmentRecord(person, number, date.fromisoformat(start), date.fromisoformat(end) if end else None, **extra)


async def test_each_rule_holds_in_the_database():
    as_of = date(2024, 6, 30)
    rows = [
        (record("gap31", "1", "2021-01-01", "2022-01-31"), True), (record("gap31", "2", "2022-03-03", "2023-01-01"), True),
        (record("gap32", "3", "2021-01-01", "2022-01-31"), True), (record("gap32", "4", "2022-03-04", "2023-01-01"), True),
        (record("moved", "5", "2020-01-01", "2021-12-31"), True), (record("moved", "6", "2022-01-01"), False),
        (record("nested", "7", "2020-01-01", "2023-01-01", team="Willow"), True),
        (record("nested", "8", "2021-01-01", "2021-06-30", team="Oak"), True),
        (record("nested", "9", "2023-01-20", "2023-12-31", team="Ash", leaving_reason="Retirement"), True),
        (record("later", "10", "2024-07-01"), True),
        (record("ends-later", "11", "2023-01-01", "2024-12-31"), True),
        (record("ends-on-as-of", "14", "2023-01-01", "2024-06-30"), True),
        (record("two-posts", "15", "2021-01-01", "2025-12-31", team="Willow"), True),
        (record("two-posts", "16", "2022-01-01", "2024-12-31", team="Oak"), True),
        (record("straddles", "12", "2022-01-01", "2024-06-20", team="Willow"), True),
        (record("straddles", "13", "2024-07-10", "2025-01-01", team="Oak"), True),
    ]
    org = await load(rows)
    names = await employee_numbers(org.id)
    got = [(names[s.person], str(s.start), str(s.end) if s.end else None, s.duration_days, s.team, s.leaving_reason)
           for s in await fetch_spells(org.id, as_of)]
    assert sorted(got) == sorted([
        ("ends-later", "2023-01-01", None, 546, None, None),
        ("ends-on-as-of", "2023-01-01", "2024-06-30", 546, None, None),
        ("two-posts", "2021-01-01", None, 1276, "Oak", None),
        ("gap31", "2021-01-01", "2023-01-01", 730, None, None),
        ("gap32", "2021-01-01", "2022-01-31", 395, None, None),
        ("gap32", "2022-03-04", "2023-01-01", 303, None, None),
        ("moved", "2020-01-01", "2021-12-31", 730, None, None),
        ("nested", "2020-01-01", "2023-12-31", 1460, "Ash", "Retirement"),
        ("straddles", "2022-01-01", None, 911, "Willow", None),
    ])


async def test_only_the_organisations_own_rows_count():
    rows = generated_rows(seed=3, people=40)
    org = await load(rows)
    other = await make_org("south")
    await import_assignments(other.id, as_csv(generated_rows(seed=4, people=60)))
    as_of = date(2024, 2, 29)
    expected = build_retention_report(build_spells([r for r, is_le in rows if is_le], as_of), as_of,
                                      organisation_id=str(org.id))
    assert (await retention_report(org.id, as_of)).to_dict() == expected.to_dict()


async def test_an_organisation_with_no_assignments_gets_an_empty_report():
    org = await make_org()
    report = await retention_report(org.id, date(2024, 1, 1))
    assert (report.spells, report.curve, [e.survival for e in report.retention]) == (0, (), [None, None, None])


async def test_period_report_equals_the_pure_figures():
    rows = generated_rows(seed=5, people=120)
    org = await load(rows)
    start, end = date(2021, 4, 1), date(2022, 3, 31)
    expected = period_figures(build_spells([r for r, is_le in rows if is_le], end), start, end)
    assert await period_report(org.id, start, end) == expected and expected.headcount_start > 0


async def test_bad_requests_are_invalid_input():
    org = await make_org()
    with pytest.raises(InvalidInput, match="Unknown breakdown 'colour'"):
        await retention_report(org.id, date(2024, 1, 1), by=("colour",))
    with pytest.raises(InvalidInput, match="on or before the as-of date"):
        await retention_report(org.id, date(2024, 1, 1), period=(date(2023, 1, 1), date(2024, 2, 1)))
    with pytest.raises(InvalidInput, match="ends"):
        await period_report(org.id, date(2024, 1, 2), date(2024, 1, 1))
