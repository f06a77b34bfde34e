"""The plain-Python reference spell merge: the oracle for production's one merge
(:func:`peerwork.retention.survival.merge_rows`, run by :mod:`peerwork.retention.query`).

It was production's first merge: one pass over assignments sorted by (person, start), written
for reading, not speed, and kept here, apart from production, so that the two are compared
rather than one trusted. It follows the contract's definitions and the choices written down in
:mod:`peerwork.retention.survival`'s docstring:

- a person's assignments merge into one spell when one starts 31 days or fewer after the latest
  end so far (overlapping and nested assignments included); an open assignment never ends;
- a spell is censored at ``as_of``: an end after ``as_of`` means in post on ``as_of``;
- spells starting after ``as_of`` are left out;
- a spell's team, band and leaving reason are those of its latest assignment started by
  ``as_of``: the greatest by (end, "in post on as_of" latest of all; start; assignment number).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from peerwork.retention.survival import Spell

GAP_DAYS = 31  # the contract's number, written again here rather than imported


@dataclass(frozen=True)
class AssignmentRecord:
    """One assignment as retention sees it (only the columns the definitions use)."""

    person: str
    assignment_number: str
    start: date
    end: date | None = None  # last day in the assignment; None = still in post
    team: str | None = None
    band: str | None = None
    leaving_reason: str | None = None


def _recency(record: AssignmentRecord, as_of: date) -> tuple:
    in_post_on_as_of = record.end is None or record.end > as_of
    return (date.max if in_post_on_as_of else record.end, record.start, record.assignment_number)


def _spell(group: list[AssignmentRecord], spell_end: date | None, as_of: date) -> Spell:
    start = group[0].start
    end = None if spell_end is None or spell_end > as_of else spell_end
    latest = max((r for r in group if r.start <= as_of), key=lambda r: _recency(r, as_of))
    return Spell(
        person=group[0].person, start=start, end=end,
        duration_days=((end if end is not None else as_of) - start).days,
        team=latest.team, band=latest.band, leaving_reason=latest.leaving_reason,
    )


def iter_spells(assignments: Iterable[AssignmentRecord], as_of: date) -> Iterator[Spell]:
    """Spells from assignments sorted by (person, start), in one pass; spells starting after
    ``as_of`` are left out. Raises ValueError on unsorted input or an end before its start."""
    group: list[AssignmentRecord] = []
    group_end: date | None = None  # None = open (an assignment with no end date)
    previous: AssignmentRecord | None = None
    for record in assignments:
        if record.end is not None and record.end < record.start:
            raise ValueError(f"assignment {record.assignment_number!r} ends before it starts")
        if previous is not None and (record.person, record.start) < (previous.person, previous.start):
            raise ValueError("assignments must be sorted by person, then start date")
        previous = record
        same_spell = (
            group and record.person == group[0].person
            and (group_end is None or (record.start - group_end).days <= GAP_DAYS)
        )
        if not same_spell:
            if group and group[0].start <= as_of:
                yield _spell(group, group_end, as_of)
            group, group_end = [], record.end
        elif group_end is not None:
            group_end = None if record.end is None else max(group_end, record.end)
        group.append(record)
    if group and group[0].start <= as_of:
        yield _spell(group, group_end, as_of)


def build_spells(assignments: Iterable[AssignmentRecord], as_of: date) -> list[Spell]:
    """Spells from assignments in any order, ordered by person then start."""
    return list(iter_spells(sorted(assignments, key=lambda r: (r.person, r.start)), as_of))
