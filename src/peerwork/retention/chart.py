"""The retention chart a board paper can use: Kaplan–Meier curves with 95% bands and the
numbers still at risk beneath. Pure: reports in, SVG or PNG bytes out."""

from __future__ import annotations

import io
import textwrap
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # no display on a server
import matplotlib.pyplot as plt  # noqa: E402

from peerwork.core.privacy import SMALL_NUMBER  # noqa: E402
from peerwork.retention.survival import RETENTION_YEARS, YEAR_DAYS, is_uncertain  # noqa: E402
from peerwork.retention.report import RetentionReport  # noqa: E402

LABELS = {"lived_experience": "Lived-experience roles", "other_roles": "All other roles"}
# Colour-blind-safe pair (Okabe–Ito blue and orange), and different line styles besides.
STYLES = {"lived_experience": ("#0072B2", "-"), "other_roles": ("#D55E00", "--")}


# A title this many characters wide fits the figure at its font size; longer ones wrap.
TITLE_CHARACTERS = 60


def _steps(report: RetentionReport) -> tuple[list[float], list[float], list[float], list[float]]:
    xs, ys, lows, highs = [], [], [], []
    for point in report.curve:
        xs.append(point.days / YEAR_DAYS)
        ys.append(point.survival * 100)
        lows.append(point.lower * 100)
        highs.append(point.upper * 100)
    return xs, ys, lows, highs


def first_uncertain_step(report: RetentionReport) -> int | None:
    """The index of the first curve point resting on fewer than SMALL_NUMBER spells at risk
    (from there on the curve is drawn dotted), or None when it never does."""
    return next((i for i, point in enumerate(report.curve) if is_uncertain(point.at_risk)), None)


def wrapped_title(title: str) -> str:
    """The title over as many lines as it needs, so no part of it falls outside the image."""
    return "\n".join(textwrap.wrap(title, TITLE_CHARACTERS)) or title


def render_chart(reports: Sequence[RetentionReport], fmt: str = "svg", *, title: str = "") -> bytes:
    """One curve per report (lived-experience roles first). ``fmt`` is "svg" or "png"."""
    if fmt not in ("svg", "png"):
        raise ValueError("fmt must be svg or png")
    horizon = max(RETENTION_YEARS) + 0.25
    with plt.rc_context({"svg.hashsalt": "peerwork", "svg.fonttype": "none", "font.size": 11}):
        figure, axes = plt.subplots(figsize=(8, 5), dpi=120)
        drawn = 0
        for report in reports:
            colour, line = STYLES.get(report.roles, ("#000000", "-"))
            label = f"{LABELS.get(report.roles, report.roles)} ({report.spells} spells)"
            xs, ys, lows, highs = _steps(report)
            if not xs:
                continue
            drawn += 1
            cut = first_uncertain_step(report)
            sure = len(xs) if cut is None else cut  # points before this rest on enough people
            if sure:
                axes.step(xs[:sure + 1], ys[:sure + 1], where="post", color=colour, linestyle=line, linewidth=2,
                          label=label)
            if sure < len(xs):
                axes.step(xs[sure:], ys[sure:], where="post", color=colour, linestyle=":", linewidth=2,
                          label=f"{label if not sure else LABELS.get(report.roles, report.roles)}: "
                                f"fewer than {SMALL_NUMBER} at risk (uncertain)")
            axes.fill_between(xs, lows, highs, step="post", color=colour, alpha=0.15, linewidth=0,
                              label=f"95% confidence band ({LABELS.get(report.roles, report.roles).lower()})")
        axes.set_xlim(0, horizon)
        axes.set_ylim(0, 101)
        axes.set_xticks(list(range(0, max(RETENTION_YEARS) + 1)))
        axes.set_xlabel("Years since starting")
        axes.set_ylabel("Still in post (%)")
        axes.grid(True, color="#dddddd")
        axes.set_title(wrapped_title(title or (f"Retention as of {reports[0].as_of:%-d %B %Y}" if reports else "")))
        if drawn:
            axes.legend(loc="lower left", fontsize=9)
        else:
            axes.text(horizon / 2, 50, "No employment records yet", ha="center", va="center", color="#4b4b4b")
        _at_risk_table(axes, reports)
        figure.tight_layout()
        buffer = io.BytesIO()
        # "tight" grows the saved area to every piece of text, so a long title or the at-risk
        # lines under the axis are never cut off.
        figure.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None,
                       bbox_inches="tight", pad_inches=0.15)
        plt.close(figure)
    return buffer.getvalue()


def _at_risk_table(axes, reports: Sequence[RetentionReport]) -> None:
    """Numbers at risk at 0, 1, 2, 3 years, under the axis: how sure the curve can be."""
    lines = ["Still at risk at 0, 1, 2 and 3 years (* fewer than "
             f"{SMALL_NUMBER}: the estimate there is uncertain)"]
    for report in reports:
        counts = [str(report.spells)] + [f"{e.at_risk}{'*' if e.uncertain else ''}" for e in report.retention]
        lines.append(f"{LABELS.get(report.roles, report.roles)}: {' / '.join(counts)}")
    axes.annotate("\n".join(lines), xy=(0, -0.2), xycoords="axes fraction", fontsize=9, ha="left", va="top")
