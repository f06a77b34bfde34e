"""A retention split as an API answer: the shared figures only (no curve, no person)."""

from __future__ import annotations

from datetime import date

from msgspec import Struct

from peerwork.retention.split import Split


class EstimateOut(Struct):
    years: int
    survival: float | None  # withheld (None) when fewer than 5 are still at risk
    lower: float | None
    upper: float | None
    at_risk: int | str  # "<5" under the small number


class CohortRateOut(Struct):
    years: int
    retained: int | str
    eligible: int | str
    rate: float | None  # withheld (None) when either count is under 5


class GroupOut(Struct):
    key: str
    label: str
    people: int | str  # "<5": the group's figures are withheld
    spells: int | str
    leavers: int | str
    suppressed: bool
    retention: list[EstimateOut]
    cohort: list[CohortRateOut]


class LogRankOut(Struct):
    statistic: float
    degrees_of_freedom: int
    p_value: float


class SplitOut(Struct):
    key: str
    label: str
    groups: list[GroupOut]
    test: LogRankOut | None  # None: not asked for, or withheld (see test_withheld)
    test_withheld: str | None


def split_out(result: Split) -> SplitOut:
    test = result.test
    return SplitOut(
        key=result.key, label=result.label,
        groups=[GroupOut(
            key=g.key, label=g.label, people=g.people, spells=g.spells, leavers=g.leavers, suppressed=g.suppressed,
            retention=[EstimateOut(e.years, e.survival, e.lower, e.upper, e.at_risk) for e in g.retention],
            cohort=[CohortRateOut(c.years, c.retained, c.eligible, c.rate) for c in g.cohort],
        ) for g in result.groups],
        test=LogRankOut(test.statistic, test.degrees_of_freedom, test.p_value) if test else None,
        test_withheld=result.test_withheld,
    )


class EqualityRetentionOut(Struct):
    as_of: date
    spells: int
    described: int  # people with an ethnicity or disability value imported
    characteristics: list[SplitOut]
