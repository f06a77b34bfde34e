"""Retention for people: the caller's organisation only, as JSON, CSV rows or a chart."""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from peerwork.core.errors import InvalidInput
from peerwork.core.export import write_csv
from peerwork.core.access import Principal
from peerwork.retention.query import retention_report
from peerwork.retention.report import BREAKDOWNS, GroupRetention, RetentionReport


def check_as_of(as_of: date | None) -> date:
    today = date.today()
    as_of = as_of or today
    if as_of > today:
        raise InvalidInput("as_of: cannot be in the future (retention replays what was known on a date).")
    return as_of


async def reports_for(
    principal: Principal, as_of: date | None = None, *, by: Iterable[str] = tuple(BREAKDOWNS),
    compare: bool = False, period: tuple[date, date] | None = None,
) -> list[RetentionReport]:
    """Lived-experience roles first, then (with ``compare``) every other role, same rules."""
    principal.require("retention:read")
    as_of = check_as_of(as_of)
    reports = [await retention_report(principal.organisation_id, as_of, by=by, period=period)]
    if compare:
        reports.append(await retention_report(principal.organisation_id, as_of, by=(), period=period,
                                              lived_experience=False))
    return reports


async def chart_for(principal: Principal, as_of: date | None, compare: bool, fmt: str) -> bytes:
    from peerwork.retention.chart import render_chart  # matplotlib: loaded only to draw

    reports = await reports_for(principal, as_of, by=(), compare=compare)
    return render_chart(reports, fmt, title=f"{principal.organisation_name}: retention as of {reports[0].as_of:%-d %B %Y}")


def chart_filename(principal: Principal, as_of: date | None, compare: bool, fmt: str) -> str:
    """What a downloaded chart is saved as, e.g. retention-northfield-nhs-2026-03-31.svg."""
    day = check_as_of(as_of).isoformat()
    return f"retention-{principal.organisation_slug}-{day}{'-compared' if compare else ''}.{fmt}"


def attachment(filename: str) -> dict[str, str]:
    """Headers that make a browser save the body as ``filename`` (a plain ASCII name)."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


CSV_COLUMNS = ["group", "spells", "leavers", "in_post"] + [
    f"{name}_{k}y" for k in (1, 2, 3)
    for name in ("km", "km_lower", "km_upper", "at_risk", "cohort_retained", "cohort_eligible", "cohort_rate")
] + [f"uncertain_{k}y" for k in (1, 2, 3)]  # added later, so at the end: existing columns keep their places


def figure_row(label: str, group: GroupRetention | RetentionReport) -> dict[str, Any]:
    row: dict[str, Any] = {"group": label, "spells": group.spells, "leavers": group.leavers, "in_post": group.in_post}
    for estimate, cohort in zip(group.retention, group.cohort_rates):
        k = estimate.years
        row.update({
            f"km_{k}y": estimate.survival, f"km_lower_{k}y": estimate.lower, f"km_upper_{k}y": estimate.upper,
            f"at_risk_{k}y": estimate.at_risk, f"cohort_retained_{k}y": cohort.retained,
            f"cohort_eligible_{k}y": cohort.eligible, f"cohort_rate_{k}y": cohort.rate,
            f"uncertain_{k}y": "yes" if estimate.uncertain else "no",
        })
    return row


def figure_rows(report: RetentionReport, by: str | None) -> list[dict[str, Any]]:
    if by is None:
        return [figure_row("all", report)]
    return [figure_row(group.label, group) for group in report.breakdowns[by]]


def as_csv(rows: list[dict[str, Any]]) -> str:
    """Through the one CSV writer: team names cannot become formulas, rates are rounded."""
    return write_csv(CSV_COLUMNS, ([row.get(column) for column in CSV_COLUMNS] for row in rows))
