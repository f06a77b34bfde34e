"""Spells by production's one merge (:func:`peerwork.retention.survival.merge_rows`) from the
tests' AssignmentRecords, so that the pure tests can hold it against the reference
(tests/unit/retention/reference.py) without a database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from peerwork.retention.survival import OPEN_END, Spell, merge_rows
from tests.unit.retention.reference import AssignmentRecord


def production_spells(records: Iterable[AssignmentRecord], as_of: date) -> list[Spell]:
    """The records given as rows the way the query gives them (sorted by person, start and
    assignment number; dates as day numbers, an open end OPEN_END), merged by merge_rows."""
    rows = [
        {"person": r.person, "assignment_number": r.assignment_number, "start_day": r.start.toordinal(),
         "end_day": OPEN_END if r.end is None else r.end.toordinal(), "team": r.team, "band": r.band,
         "leaving_reason": r.leaving_reason}
        for r in sorted(records, key=lambda r: (r.person, r.start, r.assignment_number))
    ]
    start, end, latest = merge_rows(rows, as_of)
    return [
        Spell(row["person"], date.fromordinal(first), None if last == OPEN_END else date.fromordinal(last),
              (as_of.toordinal() if last == OPEN_END else last) - first, row["team"], row["band"], row["leaving_reason"])
        for first, last, row in zip(start.tolist(), end.tolist(), latest)
    ]
