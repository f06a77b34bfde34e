"""The board pack's charts, as SVG text: the retention curve, the seven supports against the
national survey, and the trends as small multiples.

Pure: figures in, SVG out. Matplotlib is imported inside each function (through the retention
chart's module, whose look these charts share), so nothing that merely imports this module --
the CLI's ``--help``, the web app starting -- loads it. Text stays text in the SVG
(``svg.fonttype: none``), so a PDF made from it is searchable and the charts stay vector.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from peerwork.core.privacy import SMALL_NUMBER

# Shared with the retention chart: the same settings make every chart in peerwork look alike.
RC = {"svg.hashsalt": "peerwork", "svg.fonttype": "none", "font.size": 10}
BLUE, ORANGE, GREY = "#0072B2", "#D55E00", "#4b4b4b"  # Okabe–Ito, colour-blind safe


@dataclass(frozen=True)
class CurveStep:
    """One step of a Kaplan–Meier curve: from ``days`` on, ``survival`` (0..1) with its band."""

    days: int
    at_risk: int
    survival: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Bar:
    """One support: the share received here (None when withheld), and the national figure."""

    label: str
    share: float | None
    reference: float | None


@dataclass(frozen=True)
class Panel:
    """One small multiple: a figure's value (0..1, or None when withheld) at each quarter end."""

    title: str
    values: Sequence[float | None]


def _svg(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.1)
    plt.close(figure)
    return buffer.getvalue()


def shown_steps(curve: Sequence[CurveStep]) -> list[CurveStep]:
    """The steps resting on at least SMALL_NUMBER people still at risk. Past that point a step
    of the curve is one or two people leaving, so it is not drawn at all (the small-number rule
    the pack's tables follow), rather than drawn dotted as on the organisation's own page."""
    return [step for step in curve if step.at_risk >= SMALL_NUMBER]


def retention_curve_svg(curve: Sequence[CurveStep], *, title: str, at_risk: Sequence[str], label: str,
                        reference: Sequence[tuple[int, float]] = (), reference_label: str = "") -> str:
    """The Kaplan–Meier curve with its 95% band, the reference figures at whole years as
    markers, and the (suppressed) numbers still at risk at 0, 1, 2 and 3 years under the axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from peerwork.retention.chart import wrapped_title

    steps = shown_steps(curve)
    years = 3
    with plt.rc_context(RC):
        figure, axes = plt.subplots(figsize=(7.2, 4.2))
        if steps:
            xs = [s.days / 365 for s in steps]
            axes.step(xs, [s.survival * 100 for s in steps], where="post", color=BLUE, linewidth=2, label=label)
            axes.fill_between(xs, [s.lower * 100 for s in steps], [s.upper * 100 for s in steps], step="post",
                              color=BLUE, alpha=0.15, linewidth=0, label="95% confidence band")
        if reference:
            axes.scatter([k for k, _ in reference], [value * 100 for _, value in reference], marker="D",
                         color=ORANGE, zorder=3, s=28, label=reference_label)
        if steps or reference:
            axes.legend(loc="lower left", fontsize=8)
        if not steps:
            axes.text(years / 2, 50, f"Too few people to draw (fewer than {SMALL_NUMBER})", ha="center",
                      va="center", color=GREY)
        axes.set_xlim(0, years + 0.25)
        axes.set_ylim(0, 101)
        axes.set_xticks(range(0, years + 1))
        axes.set_xlabel("Years since starting")
        axes.set_ylabel("Still in post (%)")
        axes.grid(True, color="#dddddd")
        axes.set_title(wrapped_title(title))
        axes.annotate(f"Still at risk at 0, 1, 2 and 3 years: {' / '.join(at_risk)}. The curve stops where "
                      f"fewer than {SMALL_NUMBER} remain.", xy=(0, -0.17), xycoords="axes fraction", fontsize=8,
                      ha="left", va="top")
        figure.tight_layout()
        return _svg(figure)


def supports_svg(bars: Sequence[Bar], *, title: str, reference_label: str) -> str:
    """Horizontal bars: the share of peer workers who received each support, with the national
    survey's figure as a marker beside it. A withheld share is written, not drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context(RC):
        figure, axes = plt.subplots(figsize=(7.2, 0.45 * len(bars) + 1.4))
        positions = list(range(len(bars)))[::-1]  # first support at the top
        for y, bar in zip(positions, bars):
            if bar.share is None:
                axes.text(1, y, f"withheld (fewer than {SMALL_NUMBER})", va="center", fontsize=8, color=GREY,
                          bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
            else:
                axes.barh(y, bar.share * 100, color=BLUE, height=0.6)
                axes.text(bar.share * 100 + 1, y, f"{bar.share * 100:.0f}%", va="center", fontsize=8)
        marked = [(y, bar.reference) for y, bar in zip(positions, bars) if bar.reference is not None]
        if marked:
            axes.scatter([value * 100 for _, value in marked], [y for y, _ in marked], marker="D", color=ORANGE,
                         zorder=3, s=28, label=reference_label)
            axes.legend(loc="lower center", bbox_to_anchor=(0.5, -0.32), fontsize=8, frameon=False)
        axes.set_yticks(positions, [bar.label for bar in bars], fontsize=8)
        axes.set_xlim(0, 110)
        axes.set_xlabel("Share of peer workers (%)")
        axes.grid(True, axis="x", color="#dddddd")
        axes.set_axisbelow(True)
        axes.set_title(title)
        figure.tight_layout()
        return _svg(figure)


def trends_svg(quarters: Sequence[date], panels: Sequence[Panel], *, columns: int = 3) -> str:
    """Small multiples: one panel per figure, the quarter ends along the bottom, 0–100% up the
    side, gaps where a quarter's value was withheld."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = max(1, math.ceil(len(panels) / columns))
    ticks = [i for i in range(len(quarters)) if i % 4 == (len(quarters) - 1) % 4]  # the latest quarter and each year before
    with plt.rc_context(RC):
        figure, grid = plt.subplots(rows, columns, figsize=(7.2, 1.8 * rows), sharex=True, sharey=True, squeeze=False)
        for index, axes in enumerate(grid.flat):
            if index >= len(panels):
                axes.set_visible(False)
                continue
            panel = panels[index]
            values = [math.nan if v is None else v * 100 for v in panel.values]
            axes.plot(range(len(values)), values, color=BLUE, marker="o", markersize=2.5, linewidth=1.5)
            axes.set_title(panel.title, fontsize=8)
            axes.set_ylim(0, 100)
            axes.grid(True, color="#eeeeee")
            axes.tick_params(labelsize=7)
            if all(v is None for v in panel.values):
                axes.text(len(values) / 2, 50, "withheld", ha="center", va="center", fontsize=7, color=GREY)
        for axes in grid[-1]:
            axes.set_xticks(ticks, [f"{quarters[i]:%b %y}" for i in ticks])
        figure.supylabel("%", fontsize=8)
        figure.tight_layout()
        return _svg(figure)
