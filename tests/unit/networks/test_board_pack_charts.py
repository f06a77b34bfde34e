"""The board pack's charts: SVG with text as text, nothing drawn from fewer than five people."""

from __future__ import annotations

import re
from datetime import date

from peerwork.networks.charts import Bar, CurveStep, Panel, retention_curve_svg, shown_steps, supports_svg, trends_svg


def _step(days: int, at_risk: int, survival: float) -> CurveStep:
    return CurveStep(days=days, at_risk=at_risk, survival=survival, lower=survival - 0.1, upper=min(1.0, survival + 0.1))


def test_the_curve_stops_where_fewer_than_five_remain_at_risk():
    curve = [_step(0, 20, 1.0), _step(100, 9, 0.9), _step(400, 5, 0.8), _step(700, 4, 0.6), _step(900, 2, 0.3)]
    assert [s.days for s in shown_steps(curve)] == [0, 100, 400]


def _is_vector_svg(svg: str) -> bool:
    return svg.lstrip().startswith("<?xml") and "<svg" in svg and "<image" not in svg


def test_the_retention_curve_is_vector_with_its_numbers_at_risk_as_text():
    svg = retention_curve_svg([_step(0, 20, 1.0), _step(400, 12, 0.8)], title="North: retention as of 31 March 2026",
                              at_risk=["20", "12", "<5", "<5"], label="Lived-experience roles")
    assert _is_vector_svg(svg)
    assert "North: retention as of 31 March 2026" in svg
    assert "20 / 12 / &lt;5 / &lt;5" in svg
    assert "Reference trust" not in svg
    marked = retention_curve_svg([_step(0, 20, 1.0)], title="t", at_risk=["20"] * 4, label="x",
                                 reference=[(1, 0.98), (2, 0.88)], reference_label="Reference trust")
    assert "Reference trust" in marked and marked.count("<use ") > svg.count("<use ")  # the markers


def test_a_curve_with_too_few_people_is_not_drawn_and_says_why():
    svg = retention_curve_svg([_step(0, 3, 1.0), _step(100, 2, 0.5)], title="t", at_risk=["<5"] * 4, label="x")
    assert "Too few people to draw (fewer than 5)" in svg


def test_supports_chart_writes_a_withheld_share_and_marks_the_national_figure():
    svg = supports_svg([Bar("Role training", 0.4, 0.11), Bar("Group peer supervision", None, 0.11)],
                       title="Supports", reference_label="Trusts providing it (national survey)")
    assert _is_vector_svg(svg)
    assert "40%" in svg and "withheld (fewer than 5)" in svg
    assert "Trusts providing it (national survey)" in svg


def test_trends_are_one_panel_per_figure_with_gaps_for_withheld_quarters():
    quarters = [date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31)]
    svg = trends_svg(quarters, [Panel("Retention at 1 year", [0.9, 0.8, None, 0.85, 0.9]),
                                Panel("CPD compliant", [None] * 5)])
    assert _is_vector_svg(svg)
    assert "Retention at 1 year" in svg and "CPD compliant" in svg and "withheld" in svg
    assert re.search(r"Mar 26", svg)
