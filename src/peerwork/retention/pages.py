"""HR's retention page: chart, headline figures, cohorts, breakdowns, leavers, a period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.response import Template

from peerwork.core.errors import InvalidInput
from peerwork.core.privacy import SMALL_NUMBER
from peerwork.web.shell import render, signed_in_principal
from peerwork.retention.report import BREAKDOWNS
from peerwork.retention.survival import SurvivalEstimate
from peerwork.retention.service import (
    as_csv, attachment, chart_filename, chart_for, figure_rows, percent, reports_for,
)

BREAKDOWN_TITLES = {"cohort_year": "By start year", "financial_year": "By NHS financial year (April–March)",
                    "team": "By team", "band": "By Agenda for Change band"}


def _date(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name}: use a date like 2025-03-31") from None


def _spoken(estimates: Sequence[SurvivalEstimate]) -> str:
    """The chart's figures in words, for its text alternative, flagged where uncertain."""
    return ", ".join(
        f"{e.years} year{'s' if e.years > 1 else ''} {percent(e.survival)}"
        + (f" (uncertain: {e.at_risk} still at risk)" if e.uncertain and e.survival is not None else "")
        for e in estimates)


@get("/retention", include_in_schema=False)
async def retention_page(
    request: Request, as_of: str | None = None, compare: bool = False,
    period_start: str | None = None, period_end: str | None = None,
) -> Template:
    principal = signed_in_principal(request)
    as_of_date = _date(as_of, "as_of")
    start, end = _date(period_start, "period_start"), _date(period_end, "period_end")
    if (start is None) != (end is None):
        raise InvalidInput("Give both the start and the end of the period.")
    reports = await reports_for(principal, as_of_date, compare=compare, period=(start, end) if start else None)
    report = reports[0]
    query = urlencode({"as_of": report.as_of.isoformat(), **({"compare": "true"} if compare else {})})
    alt = "Kaplan–Meier retention of lived-experience roles: " + _spoken(report.retention)
    if compare:
        alt += "; all other roles: " + _spoken(reports[1].retention)
    return render(request, "retention.html", title="Retention", report=report, other=reports[1] if compare else None,
                  compare=compare, query=query, alt=alt, percent=percent, titles=BREAKDOWN_TITLES,
                  breakdowns=BREAKDOWNS, period_start=period_start or "", period_end=period_end or "",
                  small_number=SMALL_NUMBER)


async def _chart(request: Request, fmt: str, as_of: str | None, compare: bool) -> Response[bytes]:
    principal = signed_in_principal(request)
    day = _date(as_of, "as_of")
    body = await chart_for(principal, day, compare, fmt)
    # The same address is the page's <img> (which ignores the header) and its download link.
    return Response(body, media_type={"svg": "image/svg+xml", "png": "image/png"}[fmt],
                    headers=attachment(chart_filename(principal, day, compare, fmt)))


@get("/retention/chart.svg", include_in_schema=False)
async def retention_chart_svg(request: Request, as_of: str | None = None, compare: bool = False) -> Response[bytes]:
    return await _chart(request, "svg", as_of, compare)


@get("/retention/chart.png", include_in_schema=False)
async def retention_chart_png(request: Request, as_of: str | None = None, compare: bool = False) -> Response[bytes]:
    return await _chart(request, "png", as_of, compare)


@get("/retention.csv", include_in_schema=False)
async def retention_csv(request: Request, as_of: str | None = None, by: str | None = None) -> Response[str]:
    principal = signed_in_principal(request)
    if by is not None and by not in BREAKDOWNS:
        raise InvalidInput(f"by: one of {', '.join(BREAKDOWNS)}")
    (report,) = await reports_for(principal, _date(as_of, "as_of"), by=(by,) if by else ())
    name = f"retention-{principal.organisation_slug}-{report.as_of.isoformat()}{'-' + by if by else ''}.csv"
    return Response(as_csv(figure_rows(report, by)), media_type="text/csv", headers=attachment(name))


@get("/retention/equality", include_in_schema=False)
async def retention_equality_page(request: Request, as_of: str | None = None) -> Template:
    from peerwork.retention.equality import retention_by_equality

    result = await retention_by_equality(signed_in_principal(request), _date(as_of, "as_of"))
    return render(request, "retention_equality.html", title="Equality in retention", result=result, percent=percent,
                  small_number=SMALL_NUMBER)


PAGES = [retention_equality_page, retention_page, retention_chart_svg, retention_chart_png, retention_csv]
