"""Retention from the database: one organisation's spells, and the report on them.

Spells are made one way, for every caller (the report and its compare mode, the period report,
pairing's :func:`fetch_spells`): the organisation's candidate assignments are read in (person,
start, assignment number) order -- the order of the partial indexes on assignment (migration
"Partial covering indexes for retention spells"), so the database does no sort -- with their
dates as day numbers (``date.toordinal()``), and merged over arrays by
:func:`peerwork.retention.survival.merge_columns`. The two engines differ only in date arithmetic.

Why the merge is not in SQL (it was too, with gaps-and-islands windows, for the unlabelled
reports and fetch_spells): measured on bench/retention_million.py (PostgreSQL, 1,000,000
assignments), the windows alone ran longer (about 130 ms for the 50,000 lived-experience rows,
1.5 s for the 940,000 others) than reading the rows and merging them here; on SQLite (100,000
assignments) the numpy merge was as fast or faster too. One merge is one thing to keep exact,
and it compares assignment numbers as Python does, so no engine's collation comes into it.
"""

from __future__ import annotations

import gc
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from piccolo.querystring import QueryString

from peerwork.core.db import current_engine, is_postgres
from peerwork.core.lazy import deferred
from peerwork.core.errors import InvalidInput
from peerwork.retention.survival import (
    MERGE_COLUMNS,
    MERGE_GAP_DAYS,
    OPEN_END,
    PeriodFigures,
    Spell,
    SpellColumns,
    merge_columns,
    period_figures_from_columns,
    row_columns,
)
from peerwork.retention.report import (
    BREAKDOWNS,
    LIVED_EXPERIENCE,
    OTHER_ROLES,
    RetentionReport,
    build_retention_report,
)

np = deferred("numpy")  # loaded by the first report, not at start-up

# Only assignments starting by as_of + 31 days can touch a spell that starts by as_of: a later
# one could only join a spell that is already past as_of (so in post on as_of either way), and
# it never labels a spell. The team stays an id (named once per spell, after the merge), so the
# rows come straight out of the partial index in its order.
_ROWS = """
    SELECT a.person, a.assignment_number, {start} AS start_day, COALESCE({end}, {open_end}) AS end_day,
           {labels}a.leaving_reason
    FROM assignment a
    WHERE a.organisation = {{}} AND a.lived_experience_role = {{}}{role} AND a.start_date <= {{}}
    ORDER BY a.person, a.start_date, a.assignment_number
"""

# The role test written out too (besides the parameter), so that the planner on either engine
# can prove the partial index assignment_le_spells (or assignment_other_spells) covers the query.
_ROLE = {True: " AND a.lived_experience_role", False: " AND NOT a.lived_experience_role"}

# Team and band, only when wanted (the report's team and band breakdowns, and fetch_spells).
_LABELS = "a.team AS team_id, a.afc_band, "


def _ordinal(postgres: bool, column: str) -> str:
    return f"({column} - DATE '0001-01-01' + 1)" if postgres else f"CAST(julianday({column}) - 1721424.5 AS INTEGER)"


def rows_sql(postgres: bool, lived_experience: bool, labels: bool) -> str:
    """The candidate rows' query, with Piccolo's {} placeholders for (organisation,
    lived_experience, as_of + 31 days): what :func:`fetch_spell_columns` reads."""
    return _ROWS.format(start=_ordinal(postgres, "a.start_date"), end=_ordinal(postgres, "a.end_date"),
                        open_end=OPEN_END, labels=_LABELS if labels else "", role=_ROLE[lived_experience])


_ROWS_SQL = {(pg, le, labels): rows_sql(pg, le, labels) for pg in (True, False) for le in (True, False)
             for labels in (True, False)}


def row_parameters(organisation_id: UUID, lived_experience: bool, as_of: date, postgres: bool) -> tuple:
    """The parameters of :func:`rows_sql` for ``as_of``."""
    horizon = as_of + timedelta(days=MERGE_GAP_DAYS)
    # SQLite keeps dates as ISO text, and text comparison orders ISO dates correctly.
    return organisation_id, lived_experience, horizon if postgres else horizon.isoformat()


@contextmanager
def _collection_deferred() -> Iterator[None]:
    """Python's cyclic garbage collection put off until the block ends. The rows come back as
    one GC-tracked object each (none ever in a cycle), and a collection run while tens of
    thousands of them are made walks them again and again: measured, that was most of the
    time spent reading them. Reference counting frees memory as usual meanwhile; only
    collection waits, and is switched back on only if it was on before."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# The columns each query selects, in its order (records are read by position).
_COLUMNS = {labels: MERGE_COLUMNS + (("team_id", "afc_band") if labels else ()) + ("leaving_reason",)
            for labels in (True, False)}


def _picker(rows: list[int]) -> Callable[[Sequence], Sequence]:
    """column -> its values at ``rows``, in that order (itemgetter's loop runs in C)."""
    if len(rows) > 1:
        return operator.itemgetter(*rows)
    return lambda column: [column[row] for row in rows]


async def _merged(organisation_id: UUID, as_of: date, lived_experience: bool, labels: bool
                  ) -> tuple[Any, np.ndarray, np.ndarray, dict[str, Sequence]]:
    """(engine, spell start days, spell end days, {column: each spell's latest row's value} for
    person, team_id and afc_band (with ``labels``) and leaving_reason), spells in (person,
    start) order. The rows become columns at once and are dropped inside the block that holds
    off garbage collection, so no per-row object outlives it for a collection to walk."""
    engine = current_engine()
    postgres = is_postgres(engine)
    names = _COLUMNS[labels]
    with _collection_deferred():
        # The engine's own rows (asyncpg records on PostgreSQL), not Piccolo's dict per row; in
        # the current transaction, if any, as Assignment.raw would be.
        rows = await engine.run_querystring(QueryString(
            _ROWS_SQL[postgres, lived_experience, labels],
            *row_parameters(organisation_id, lived_experience, as_of, postgres)))
        columns = dict(zip(names, row_columns(rows, names)))
        del rows
        start, end, latest = merge_columns(*(columns[name] for name in MERGE_COLUMNS), as_of)
        pick = _picker(latest.tolist())
        chosen = {name: pick(columns[name]) for name in ("person",) + names[len(MERGE_COLUMNS):]}
        del columns
    return engine, start, end, chosen


async def fetch_spell_columns(
    organisation_id: UUID, as_of: date, *, lived_experience: bool = True, labels: bool = True
) -> SpellColumns:
    """The organisation's spells on ``as_of`` (lived-experience roles, or with
    ``lived_experience=False`` every other role) as columns (day numbers and lists), making no
    Spell, date or dict per spell: what the report is built from. Without ``labels`` team and
    band are neither read nor given (all None)."""
    engine, start, end, chosen = await _merged(organisation_id, as_of, lived_experience, labels)
    reasons = chosen["leaving_reason"]
    if not labels:
        nothing = [None] * len(reasons)
        return SpellColumns.from_days(start, end, as_of, team=nothing, band=nothing, leaving_reason=reasons)
    team_ids = chosen["team_id"]
    names = await _team_names(engine, set(team_ids))
    return SpellColumns.from_days(start, end, as_of, team=list(map(names.get, team_ids)), band=chosen["afc_band"],
                                  leaving_reason=reasons)


async def fetch_spells(organisation_id: UUID, as_of: date, *, lived_experience: bool = True) -> list[Spell]:
    """The spells of :func:`fetch_spell_columns` as Spell objects (the person's id as a string),
    ordered by person then start."""
    engine, start, end, chosen = await _merged(organisation_id, as_of, lived_experience, labels=True)
    names = await _team_names(engine, set(chosen["team_id"]))
    as_of_day = as_of.toordinal()
    return [
        Spell(person=str(person), start=date.fromordinal(first),
              end=None if last == OPEN_END else date.fromordinal(last),
              duration_days=(as_of_day if last == OPEN_END else last) - first,
              team=names.get(team_id), band=band, leaving_reason=reason)
        for first, last, person, team_id, band, reason in zip(
            start.tolist(), end.tolist(), chosen["person"], chosen["team_id"], chosen["afc_band"],
            chosen["leaving_reason"])
    ]


async def _team_names(engine: Any, team_ids: set) -> dict:
    """Team id -> name (a team that is not there, or None: no entry, so None)."""
    names: dict = {}
    ids = [team_id for team_id in team_ids if team_id is not None]
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
