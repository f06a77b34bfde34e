"""Retention from the database: one organisation's spells, merged in SQL, and the report on them.

The merge into spells (gaps and islands) runs in the database on both engines, so only spells
come back, never ORM objects: a row opens a new spell when its start is more than 31 days after
the latest end among the person's earlier rows (an open assignment counts as ending never).
The two engines differ only in date arithmetic and in naming a byte-order collation.

The report itself is built from :func:`fetch_spell_columns`: the same spells as day numbers in
arrays (no Spell, date or dict per spell), read through the partial indexes on assignment
(migration "Partial covering indexes for retention spells") in the windows' own order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import numpy as np
from piccolo.querystring import QueryString

from peerwork.core.db import current_engine, is_postgres
from peerwork.core.errors import InvalidInput
from peerwork.retention.survival import (
    MERGE_GAP_DAYS,
    OPEN_END,
    AssignmentRecord,
    PeriodFigures,
    Spell,
    SpellColumns,
    merge_day_rows,
    period_figures_from_columns,
)
from peerwork.retention.report import (
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
    WHERE a.organisation = {} AND a.lived_experience_role = {}{role} AND a.start_date <= {}
"""

# The same rows for the merge in SQL, the team still an id: it is named only once per spell, at
# the end, so the windows can read the rows in the partial index's order without a sort.
_SPELL_CANDIDATES = """
    SELECT a.person, a.assignment_number, a.start_date, a.end_date,
           a.team, a.afc_band, a.leaving_reason
    FROM assignment a
    WHERE a.organisation = {} AND a.lived_experience_role = {}{role} AND a.start_date <= {}
"""

# The role test written out too (besides the parameter), so that the planner on either engine
# can prove the partial index assignment_le_spells (or assignment_other_spells) covers the query.
_ROLE = {True: " AND a.lived_experience_role", False: " AND NOT a.lived_experience_role", None: ""}

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
SELECT {select}
FROM ranked{team_join}
WHERE recency = 1 AND spell_start <= {{}}{order}
"""


# What each spell comes back as: dates and the person (for Spell objects), or just what the
# report needs, the dates as day numbers (date.toordinal()) so no date objects are made.
_SPELL_ROW = """person, spell_start,
       CASE WHEN spell_end > {} THEN NULL ELSE spell_end END AS spell_end,
       t.name AS team, afc_band, leaving_reason"""
# Or, for the report without team and band (compare mode), only what it needs: the dates as
# day numbers (date.toordinal()), an open spell's end OPEN_END, in no particular order.
_DAYS_ROW = """{start_day} AS start_day,
       CASE WHEN spell_end > {{}} THEN {open_end} ELSE {end_day} END AS end_day,
       leaving_reason"""


def _ordinal(postgres: bool, column: str) -> str:
    return f"({column} - DATE '0001-01-01' + 1)" if postgres else f"CAST(julianday({column}) - 1721424.5 AS INTEGER)"


def _spells_sql(postgres: bool, lived_experience: bool | None = None, days: bool = False) -> str:
    if postgres:
        gap = "start_date - latest_earlier_end::date"
        binary = 'COLLATE "C"'
    else:
        gap = "julianday(start_date) - julianday(latest_earlier_end)"
        binary = "COLLATE BINARY"
    if days:
        select = _DAYS_ROW.format(start_day=_ordinal(postgres, "spell_start"), end_day=_ordinal(postgres, "spell_end"),
                                  open_end=OPEN_END)
        team_join, order = "", ""
    else:
        select, team_join, order = _SPELL_ROW, " LEFT JOIN team t ON t.id = ranked.team", "\nORDER BY person, spell_start"
    # format() leaves the substituted candidates' and select's {} placeholders alone, for Piccolo to fill.
    candidates = _SPELL_CANDIDATES.format("{}", "{}", "{}", role=_ROLE[lived_experience])
    return _SPELLS.format(candidates=candidates, gap=gap, merge_gap=MERGE_GAP_DAYS, never=_NEVER, binary=binary,
                          select=select, team_join=team_join, order=order)


# The candidate rows as the report reads them, for the same merge in Python over arrays
# (retention.merge_day_rows): in the partial index's order, dates as day numbers
# (date.toordinal()), an open end as OPEN_END.
_DAY_ROWS = """
    SELECT a.person, a.assignment_number, {start} AS start_day, COALESCE({end}, {open_end}) AS end_day,
           a.team AS team_id, a.afc_band, a.leaving_reason
    FROM assignment a
    WHERE a.organisation = {{}} AND a.lived_experience_role = {{}}{role} AND a.start_date <= {{}}
    ORDER BY a.person, a.start_date, a.assignment_number
"""


def _day_rows_sql(postgres: bool, lived_experience: bool) -> str:
    return _DAY_ROWS.format(start=_ordinal(postgres, "a.start_date"), end=_ordinal(postgres, "a.end_date"),
                            open_end=OPEN_END, role=_ROLE[lived_experience])


_SQL = {True: _spells_sql(True), False: _spells_sql(False)}
# By engine and role: the same query with the role also written out (see _ROLE).
_SPELLS_SQL = {(pg, le): _spells_sql(pg, le) for pg in (True, False) for le in (True, False)}
_DAY_ROWS_SQL = {(pg, le): _day_rows_sql(pg, le) for pg in (True, False) for le in (True, False)}
_DAYS_SQL = {(pg, le): _spells_sql(pg, le, days=True) for pg in (True, False) for le in (True, False)}


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
    rows = await Assignment.raw(_SPELLS_SQL[postgres, lived_experience], organisation, flag, horizon, day, day, day, day)
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
    :func:`peerwork.retention.survival.iter_spells`)."""
    postgres = is_postgres(current_engine())
    organisation, flag, horizon, _ = _parameters(organisation_id, lived_experience, as_of, postgres)
    candidates = _CANDIDATES.format("{}", "{}", "{}", role=_ROLE[lived_experience])
    rows = await Assignment.raw(candidates + " ORDER BY a.person, a.start_date", organisation, flag, horizon)
    return [
        AssignmentRecord(
            person=str(row["person"]), assignment_number=row["assignment_number"],
            start=_as_date(row["start_date"]), end=_as_date(row["end_date"]),
            team=row["team"], band=row["afc_band"], leaving_reason=row["leaving_reason"],
        )
        for row in rows
    ]


async def fetch_spell_columns(
    organisation_id: UUID, as_of: date, *, lived_experience: bool = True, labels: bool = True
) -> SpellColumns:
    """The spells of :func:`fetch_spells` as columns (day numbers and lists), making no Spell,
    date or dict per spell: what the report is built from.

    With ``labels`` (team and band wanted), the assignment rows come in the partial index's
    order and are merged over arrays (:func:`merge_day_rows`, the same rules): quickest for a
    few tens of thousands of rows. Without, team and band are left out (all None) and the merge
    runs in SQL, so only a spell's two day numbers and reason come back: lightest for the
    hundreds of thousands of other roles (compare mode)."""
    engine = current_engine()
    postgres = is_postgres(engine)
    organisation, flag, horizon, day = _parameters(organisation_id, lived_experience, as_of, postgres)
    # The engine's own rows (asyncpg records on PostgreSQL), not Piccolo's dict per row; in the
    # current transaction, if any, as Assignment.raw would be.
    if not labels:
        rows = await engine.run_querystring(QueryString(
            _DAYS_SQL[postgres, lived_experience], organisation, flag, horizon, day, day, day, day))
        count = len(rows)
        start = np.fromiter((row["start_day"] for row in rows), dtype=np.int64, count=count)
        end = np.fromiter((row["end_day"] for row in rows), dtype=np.int64, count=count)
        reasons = [row["leaving_reason"] for row in rows]
        del rows
        return SpellColumns.from_days(start, end, as_of, team=[None] * count, band=[None] * count,
                                      leaving_reason=reasons)
    rows = await engine.run_querystring(QueryString(_DAY_ROWS_SQL[postgres, lived_experience], organisation, flag, horizon))
    count = len(rows)
    start, end, latest = merge_day_rows(
        [row["person"] for row in rows],
        np.fromiter((row["start_day"] for row in rows), dtype=np.int64, count=count),
        np.fromiter((row["end_day"] for row in rows), dtype=np.int64, count=count),
        lambda row: rows[row]["assignment_number"], as_of,
    )
    latest_rows = [rows[i] for i in latest.tolist()]
    team_ids = [row["team_id"] for row in latest_rows]
    names = await _team_names(engine, {t for t in team_ids if t is not None})
    return SpellColumns.from_days(
        start, end, as_of, team=[names.get(t) for t in team_ids], band=[row["afc_band"] for row in latest_rows],
        leaving_reason=[row["leaving_reason"] for row in latest_rows],
    )


async def _team_names(engine: Any, team_ids: set) -> dict:
    """Team id -> name, as the spells query's LEFT JOIN would give it (a missing team: None)."""
    names: dict = {}
    ids = list(team_ids)
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        rows = await engine.run_querystring(QueryString(
            f"SELECT id, name FROM team WHERE id IN ({', '.join('{}' for _ in chunk)})", *chunk))
        names.update((row["id"], row["name"]) for row in rows)
    return names


# Breakdowns that need each spell's team or band.
_LABELLED = ("team", "band")


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
    contract's definitions (see :mod:`peerwork.retention.survival`); ``by`` picks breakdowns
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
    spells = await fetch_spell_columns(organisation_id, as_of, lived_experience=lived_experience,
                                       labels=any(name in _LABELLED for name in by))
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
    return period_figures_from_columns(
        await fetch_spell_columns(organisation_id, end, lived_experience=lived_experience, labels=False), start, end)
