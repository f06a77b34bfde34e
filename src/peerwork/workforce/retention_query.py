"""Retention from the database: one organisation's spells, merged in SQL, and the report on them.

The merge into spells (gaps and islands) runs in the database on both engines, so only spells
come back, never ORM objects: a row opens a new spell when its start is more than 31 days after
the latest end among the person's earlier rows (an open assignment counts as ending never).
The two engines differ only in date arithmetic and in naming a byte-order collation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from peerwork.db import current_engine, is_postgres
from peerwork.errors import InvalidInput
from peerwork.workforce.retention import (
    MERGE_GAP_DAYS,
    AssignmentRecord,
    PeriodFigures,
    Spell,
    period_figures,
)
from peerwork.workforce.retention_report import (
    BREAKDOWNS,
    LIVED_EXPERIENCE,
    OTHER_ROLES,
    RetentionReport,
    build_retention_report,
)
from peerwork.workforce.tables import Assignment

# A date later than any real one, so an open assignment sorts and compares as ending last.
_NEVER = "9999-12-31"

# Only assignments starting by as_of + 31 days can touch a spell that starts by as_of: a later
# one could only join a spell that is already past as_of (so in post on as_of either way).
_CANDIDATES = """
    SELECT a.person, a.assignment_number, a.start_date, a.end_date,
           t.name AS team, a.afc_band, a.leaving_reason
    FROM assignment a LEFT JOIN team t ON t.id = a.team
    WHERE a.organisation = {} AND a.lived_experience_role = {} AND a.start_date <= {}
"""

_SPELLS = """
WITH candidate AS ({candidates}),
flagged AS (
    SELECT c.*,
           CASE WHEN {gap} > {merge_gap} THEN 1 ELSE 0 END AS opens_spell
    FROM (
        SELECT candidate.*,
               MAX(COALESCE(end_date, '{never}')) OVER (
                   PARTITION BY person ORDER BY start_date, assignment_number
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
               ) AS latest_earlier_end
        FROM candidate
    ) c
),
numbered AS (
    SELECT flagged.*,
           SUM(opens_spell) OVER (
               PARTITION BY person ORDER BY start_date, assignment_number ROWS UNBOUNDED PRECEDING
           ) AS spell_number
    FROM flagged
),
ranked AS (
    SELECT person, team, afc_band, leaving_reason,
           MIN(start_date) OVER spell AS spell_start,
           MAX(COALESCE(end_date, '{never}')) OVER spell AS spell_end,
           ROW_NUMBER() OVER (
               PARTITION BY person, spell_number
               ORDER BY CASE WHEN start_date <= {{}} THEN 0 ELSE 1 END,
                        CASE WHEN end_date IS NULL OR end_date > {{}} THEN '{never}' ELSE end_date END DESC,
                        start_date DESC,
                        assignment_number {binary} DESC
           ) AS recency
    FROM numbered
    WINDOW spell AS (PARTITION BY person, spell_number)
)
SELECT person, spell_start,
       CASE WHEN spell_end > {{}} THEN NULL ELSE spell_end END AS spell_end,
       team, afc_band, leaving_reason
FROM ranked
WHERE recency = 1 AND spell_start <= {{}}
ORDER BY person, spell_start
"""


def _spells_sql(postgres: bool) -> str:
    if postgres:
        gap = "start_date - latest_earlier_end::date"
        binary = 'COLLATE "C"'
    else:
        gap = "julianday(start_date) - julianday(latest_earlier_end)"
        binary = "COLLATE BINARY"
    # format() leaves the substituted candidates' {} placeholders alone, for Piccolo to fill.
    return _SPELLS.format(candidates=_CANDIDATES, gap=gap, merge_gap=MERGE_GAP_DAYS, never=_NEVER, binary=binary)


_SQL = {True: _spells_sql(True), False: _spells_sql(False)}


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _parameters(organisation_id: UUID, lived_experience: bool, as_of: date, postgres: bool) -> tuple:
    # SQLite keeps dates as ISO text, and text comparison orders ISO dates correctly.
    day = (lambda d: d) if postgres else date.isoformat
    return (organisation_id, lived_experience, day(as_of + timedelta(days=MERGE_GAP_DAYS)), day(as_of))


async def fetch_spells(organisation_id: UUID, as_of: date, *, lived_experience: bool = True) -> list[Spell]:
    """The organisation's spells on ``as_of`` (lived-experience roles, or with
    ``lived_experience=False`` every other role), ordered by person then start, merged in SQL.
    Equal to ``build_spells(fetch_assignments(...), as_of)``."""
    postgres = is_postgres(current_engine())
    organisation, flag, horizon, day = _parameters(organisation_id, lived_experience, as_of, postgres)
    rows = await Assignment.raw(_SQL[postgres], organisation, flag, horizon, day, day, day, day)
    spells = []
    for row in rows:
        start, end = _as_date(row["spell_start"]), _as_date(row["spell_end"])
        spells.append(Spell(
            person=str(row["person"]), start=start, end=end,
            duration_days=((end if end is not None else as_of) - start).days,
            team=row["team"], band=row["afc_band"], leaving_reason=row["leaving_reason"],
        ))
    return spells


async def fetch_assignments(
    organisation_id: UUID, as_of: date, *, lived_experience: bool = True
) -> list[AssignmentRecord]:
    """The assignment rows retention needs, ordered by person then start (for the Python merge,
    :func:`peerwork.workforce.retention.iter_spells`)."""
    postgres = is_postgres(current_engine())
    organisation, flag, horizon, _ = _parameters(organisation_id, lived_experience, as_of, postgres)
    rows = await Assignment.raw(_CANDIDATES + " ORDER BY a.person, a.start_date", organisation, flag, horizon)
    return [
        AssignmentRecord(
            person=str(row["person"]), assignment_number=row["assignment_number"],
            start=_as_date(row["start_date"]), end=_as_date(row["end_date"]),
            team=row["team"], band=row["afc_band"], leaving_reason=row["leaving_reason"],
        )
        for row in rows
    ]


def _check_period(period: tuple[date, date] | None, as_of: date) -> None:
    if period is None:
        return
    start, end = period
    if end < start:
        raise InvalidInput(f"The period ends ({end}) before it starts ({start}).")
    if end > as_of:
        raise InvalidInput(f"The period must end on or before the as-of date ({as_of}); it ends {end}.")


async def retention_report(
    organisation_id: UUID,
    as_of: date | None = None,
    *,
    by: Iterable[str] = tuple(BREAKDOWNS),
    period: tuple[date, date] | None = None,
    lived_experience: bool = True,
) -> RetentionReport:
    """Retention of one organisation's lived-experience spells (or, with
    ``lived_experience=False``, of its other roles, for comparison) on ``as_of`` (default today).

    Guarantees: only this organisation's rows are read; the figures are exactly those of the
    contract's definitions (see :mod:`peerwork.workforce.retention`); ``by`` picks breakdowns
    from "cohort_year", "financial_year", "team", "band"; ``period`` (start, end), ending by
    ``as_of``, adds its stability index, leaver rate and leavers by reason. Raises InvalidInput
    on an unknown breakdown or a bad period.
    """
    as_of = as_of or date.today()
    by = tuple(by)
    unknown = [name for name in by if name not in BREAKDOWNS]
    if unknown:
        raise InvalidInput(f"Unknown breakdown {unknown[0]!r}: use one of {', '.join(BREAKDOWNS)}.")
    _check_period(period, as_of)
    spells = await fetch_spells(organisation_id, as_of, lived_experience=lived_experience)
    return build_retention_report(
        spells, as_of, by=by, period=period, roles=LIVED_EXPERIENCE if lived_experience else OTHER_ROLES,
        organisation_id=str(organisation_id),
    )


async def period_report(
    organisation_id: UUID, start: date, end: date, *, lived_experience: bool = True
) -> PeriodFigures:
    """Stability index, leaver rate and leavers by reason for [start, end] (both included),
    from spells as known on ``end``. Raises InvalidInput if the period ends before it starts."""
    _check_period((start, end), end)
    return period_figures(await fetch_spells(organisation_id, end, lived_experience=lived_experience), start, end)
