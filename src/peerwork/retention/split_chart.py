"""A split's Kaplan–Meier curves as a vector SVG, in the retention chart's style: one step line
per group shown (groups under the small number are never drawn), 95% bands, the numbers at
risk beneath. Pure: a Split in, SVG bytes out; matplotlib is loaded only when a chart is drawn."""

from __future__ import annotations

import io

from peerwork.core.privacy import SMALL_NUMBER
from peerwork.retention.split import Split
from peerwork.retention.survival import RETENTION_YEARS, YEAR_DAYS, is_uncertain

# Okabe–Ito colours (safe for colour-blind readers), with different line styles besides.
STYLES = (("#0072B2", "-"), ("#D55E00", "--"), ("#009E73", "-."), ("#CC79A7", ":"))


def render_split_chart(result: Split, *, title: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt

    from peerwork.retention.chart import wrapped_title

    horizon = max(RETENTION_YEARS) + 0.25
    with plt.rc_context({"svg.hashsalt": "peerwork", "svg.fonttype": "none", "font.size": 11}):
        figure, axes = plt.subplots(figsize=(8, 5), dpi=120)
        drawn = 0
        for (colour, line), group in zip(STYLES, result.groups):
            if group.suppressed or not group.curve:
                continue
            drawn += 1
            # A curve stops where fewer than SMALL_NUMBER spells are still at risk: past that
            # point a step would show when one or two people left.
            points = [p for p in group.curve if not is_uncertain(p.at_risk)]
            xs = [p.days / YEAR_DAYS for p in points]
            axes.step(xs, [p.survival * 100 for p in points], where="post", color=colour, linestyle=line,
                      linewidth=2, label=f"{group.label} ({group.people} people)")
            axes.fill_between(xs, [p.lower * 100 for p in points], [p.upper * 100 for p in points], step="post",
                              color=colour, alpha=0.15, linewidth=0)
        axes.set_xlim(0, horizon)
        axes.set_ylim(0, 101)
        axes.set_xticks(list(range(0, max(RETENTION_YEARS) + 1)))
        axes.set_xlabel("Years since starting")
        axes.set_ylabel("Still in post (%)")
        axes.grid(True, color="#dddddd")
        axes.set_title(wrapped_title(title))
        if drawn:
            axes.legend(loc="lower left", fontsize=9)
        else:
            axes.text(horizon / 2, 50, f"No group of {SMALL_NUMBER} or more people to show", ha="center",
                      va="center", color="#4b4b4b")
        lines = [f"Still at risk at 1, 2 and 3 years (<{SMALL_NUMBER}: too few to show; curves stop there)"]
        lines += [f"{g.label}: {' / '.join(str(e.at_risk) for e in g.retention)}"
                  for g in result.groups if not g.suppressed]
        axes.annotate("\n".join(lines), xy=(0, -0.2), xycoords="axes fraction", fontsize=9, ha="left", va="top")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.15)
        plt.close(figure)
    return buffer.getvalue()
