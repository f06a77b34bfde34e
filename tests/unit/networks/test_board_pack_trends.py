"""Trends: the twelve quarter ends up to a date, and each headline figure's line over them."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from peerwork.networks.trends import quarter_end_on_or_before, quarter_ends, replay, series_of, short_support_label


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 3, 31), date(2026, 3, 31)),
    (date(2026, 3, 30), date(2025, 12, 31)),
    (date(2026, 1, 1), date(2025, 12, 31)),
    (date(2026, 7, 1), date(2026, 6, 30)),
    (date(2026, 12, 31), date(2026, 12, 31)),
    (date(2024, 10, 15), date(2024, 9, 30)),
])
def test_the_last_quarter_end_on_or_before_a_day(day, expected):
    assert quarter_end_on_or_before(day) == expected


def test_twelve_quarter_ends_cover_the_last_three_years_oldest_first():
    ends = quarter_ends(date(2026, 11, 30))
    assert len(ends) == 12
    assert ends[0] == date(2023, 12, 31) and ends[-1] == date(2026, 9, 30)
    assert list(ends) == sorted(set(ends))
    assert {(d.month, d.day) for d in ends} == {(3, 31), (6, 30), (9, 30), (12, 31)}


def _unit(share: float | None, survival: float | None) -> SimpleNamespace:
    compliance = SimpleNamespace(share=share)
    return SimpleNamespace(
        retention=[SimpleNamespace(years=k, survival=survival and survival - k / 10) for k in (1, 2, 3)],
        supervision_one_to_one=compliance, supervision_group=SimpleNamespace(share=None), cpd=compliance,
        supports=[SimpleNamespace(key="role_training", label="Role training (core training done)", share=share),
                  SimpleNamespace(key="ongoing_cpd", label="Ongoing CPD (any CPD recorded)", share=0.5)])


def test_each_series_follows_its_figure_and_keeps_withheld_quarters_as_gaps():
    series = {s.key: s for s in series_of([_unit(0.5, 0.9), _unit(None, None), _unit(0.75, 1.0)])}
    assert series["retention_1y"].values == (pytest.approx(0.8), None, pytest.approx(0.9))
    assert series["retention_3y"].values == (pytest.approx(0.6), None, pytest.approx(0.7))
    assert series["supervision_one_to_one"].values == (0.5, None, 0.75)
    assert series["supervision_group"].values == (None, None, None)
    assert series["support:role_training"].values == (0.5, None, 0.75)
    assert series["support:role_training"].label == "Role training"
    assert "support:ongoing_cpd" not in series  # followed by CPD compliance already


async def test_replay_asks_for_the_figures_at_each_quarter_end_in_order():
    asked: list[date] = []

    async def figures_on(day: date) -> SimpleNamespace:
        asked.append(day)
        return _unit(day.month / 12, 0.9)

    trends = await replay(figures_on, date(2026, 5, 2), count=4)
    assert asked == [date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31)]
    assert trends.quarters == tuple(asked)
    assert dict((s.key, s.values) for s in trends.series)["cpd"] == (0.5, 0.75, 1.0, 0.25)


def test_short_support_label_drops_the_explanation():
    assert short_support_label("1:1 peer supervision (held)") == "1:1 peer supervision"
    assert short_support_label("Ongoing CPD") == "Ongoing CPD"
