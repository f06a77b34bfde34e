"""The retention chart: a long title wraps instead of running off the image, and the part of a
curve resting on fewer than 5 people is drawn dotted and starred."""

from __future__ import annotations

import re
from datetime import date, timedelta

from peerwork.retention.chart import TITLE_CHARACTERS, first_uncertain_step, render_chart, wrapped_title
from peerwork.retention.report import build_retention_report
from peerwork.retention.survival import Spell

AS_OF = date(2026, 11, 30)
LONG = "Northfield Community Health and Mental Health NHS Foundation Trust: retention as of 30 November 2026"


def _spell(n: int, start: date, days: int, left: bool) -> Spell:
    return Spell(f"p{n}", start, start + timedelta(days=days) if left else None, days)


def _report():
    # Eight people: six stay past two years, so the curve is sure until then; only two are
    # still at risk at three years.
    spells = [_spell(i, AS_OF - timedelta(days=800), 800, False) for i in range(3)]
    spells += [_spell(3, AS_OF - timedelta(days=1500), 1200, True), _spell(4, AS_OF - timedelta(days=1500), 1500, False),
               _spell(5, AS_OF - timedelta(days=1500), 1500, False), _spell(6, AS_OF - timedelta(days=400), 100, True),
               _spell(7, AS_OF - timedelta(days=900), 300, True)]
    return build_retention_report(spells, AS_OF, by=())


def test_a_long_title_wraps_with_every_word_kept():
    lines = wrapped_title(LONG).split("\n")
    assert len(lines) == 2 and all(len(line) <= TITLE_CHARACTERS for line in lines)
    assert " ".join(lines) == LONG
    assert wrapped_title("Short") == "Short"


def test_the_svg_holds_the_whole_title_and_stars_small_numbers_at_risk():
    report = _report()
    assert [(e.at_risk, e.uncertain) for e in report.retention] == [(6, False), (6, False), (3, True)]
    svg = render_chart([report], "svg", title=LONG).decode()
    for line in wrapped_title(LONG).split("\n"):
        assert line in svg
    assert "Lived-experience roles: 8 / 6 / 6 / 3*" in svg
    # The image is as wide with the long title as with a short one: the title wrapped to fit.
    assert _width(svg) == _width(render_chart([report], "svg", title="Short").decode())


def _width(svg: str) -> float:
    return float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg).group(1))


def test_the_curve_turns_dotted_where_fewer_than_five_remain():
    report = _report()
    cut = first_uncertain_step(report)
    assert cut is not None and report.curve[cut].at_risk < 5
    assert all(point.at_risk >= 5 for point in report.curve[:cut])
    svg = render_chart([report], "svg").decode()
    assert "fewer than 5 at risk (uncertain)" in svg
