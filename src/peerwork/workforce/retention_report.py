"""The retention report, pure: headline, cohort rates, breakdowns and curve from a list of spells.

Everything the API, the CLI and the page show comes from :func:`build_retention_report`, and
``RetentionReport.to_dict()`` is its JSON form (dates as ISO strings, tuples as lists).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from peerwork.workforce.retention import (
    NOT_RECORDED,
    CohortRate,
    CurvePoint,
    PeriodFigures,
    ReasonCount,
    Spell,
    SurvivalEstimate,
    cohort_rates,
    kaplan_meier,
    leavers_by_reason,
    period_figures,
    retention_estimates,
)

LIVED_EXPERIENCE = "lived_experience"
OTHER_ROLES = "other_roles"


def financial_year(day: date) -> str:
    """The NHS financial year (1 April to 31 March) a date falls in, e.g. "2023/24"."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def _band_order(band: str) -> tuple:
    # Agenda for Change bands run 2 ... 7, 8a ... 8d, 9; anything else sorts after them.
    if band[:1].isdigit():
        return (0, int(band[0]), band[1:])
    return (1, 0, band)


def _name_order(name: str) -> tuple:
    return (name.casefold(), name)


# Each breakdown: how to label a spell, and how to order the labels ("Not recorded" last).
BREAKDOWNS: Mapping[str, tuple[Callable[[Spell], str | None], Callable[[str], Any]]] = {
    "cohort_year": (lambda s: str(s.start.year), str),
    "financial_year": (lambda s: financial_year(s.start), str),
    "team": (lambda s: s.team, _name_order),
    "band": (lambda s: s.band, _band_order),
}


@dataclass(frozen=True)
class GroupRetention:
    """Retention of one group of spells (a start year, a team, a band...)."""

    label: str
    spells: int
    leavers: int
    in_post: int
    retention: tuple[SurvivalEstimate, ...]
    cohort_rates: tuple[CohortRate, ...]


@dataclass(frozen=True)
class RetentionReport:
    """Retention of one organisation's spells on ``as_of``.

    ``roles`` says which spells: "lived_experience" (the subject) or "other_roles" (the same
    measure over every other role, for comparison). ``retention`` is the Kaplan–Meier headline
    at 1, 2 and 3 years; ``curve`` the whole step function for charting; ``breakdowns`` maps
    each requested breakdown name to its groups in display order.
    """

    as_of: date
    roles: str
    spells: int
    leavers: int
    in_post: int
    retention: tuple[SurvivalEstimate, ...]
    cohort_rates: tuple[CohortRate, ...]
    breakdowns: Mapping[str, tuple[GroupRetention, ...]]
    leavers_by_reason: tuple[ReasonCount, ...]
    curve: tuple[CurvePoint, ...]
    period: PeriodFigures | None = None
    organisation_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(self)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def group_retention(label: str, spells: Sequence[Spell], as_of: date) -> GroupRetention:
    leavers = sum(1 for s in spells if s.left)
    return GroupRetention(
        label=label, spells=len(spells), leavers=leavers, in_post=len(spells) - leavers,
        retention=retention_estimates(spells), cohort_rates=cohort_rates(spells, as_of),
    )


def breakdown(spells: Iterable[Spell], as_of: date, by: str) -> tuple[GroupRetention, ...]:
    """One row per group that has spells; spells with no team (or band) form "Not recorded"."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r} (use one of: {', '.join(BREAKDOWNS)})")
    label_of, order = BREAKDOWNS[by]
    groups: dict[str | None, list[Spell]] = defaultdict(list)
    for spell in spells:
        label = label_of(spell)
        groups[label if label and label.strip() else None].append(spell)
    labels = sorted((label for label in groups if label is not None), key=order)
    if None in groups:
        labels.append(None)
    return tuple(group_retention(label or NOT_RECORDED, groups[label], as_of) for label in labels)


def build_retention_report(
    spells: Sequence[Spell],
    as_of: date,
    *,
    by: Iterable[str] = tuple(BREAKDOWNS),
    period: tuple[date, date] | None = None,
    roles: str = LIVED_EXPERIENCE,
    organisation_id: str | None = None,
) -> RetentionReport:
    """The whole report from spells built as of ``as_of``. A period, if given, must end by as_of."""
    by = tuple(by)
    for name in by:
        if name not in BREAKDOWNS:
            raise ValueError(f"unknown breakdown {name!r} (use one of: {', '.join(BREAKDOWNS)})")
    if period is not None and period[1] > as_of:
        raise ValueError("the period must end on or before the as-of date")
    overall = group_retention("All", spells, as_of)
    return RetentionReport(
        as_of=as_of, roles=roles, spells=overall.spells, leavers=overall.leavers, in_post=overall.in_post,
        retention=overall.retention, cohort_rates=overall.cohort_rates,
        breakdowns={name: breakdown(spells, as_of, name) for name in by},
        leavers_by_reason=leavers_by_reason(spells),
        curve=kaplan_meier(spells).points if spells else (),
        period=period_figures(spells, *period) if period is not None else None,
        organisation_id=organisation_id,
    )
