"""Retention API: the figures as JSON and the chart as SVG or PNG."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Response, get
from litestar.params import Parameter

from peerwork.core.errors import InvalidInput
from peerwork.core.access import Principal
from peerwork.retention.report import BREAKDOWNS
from peerwork.retention.service import attachment, chart_filename, chart_for, reports_for
from peerwork.retention.split_out import EqualityRetentionOut, split_out

By = Annotated[list[str] | None, Parameter(description=f"Breakdowns: {', '.join(BREAKDOWNS)} (repeatable)")]


class RetentionController(Controller):
    path = "/retention"
    tags = ["retention"]

    @get("/", opt={"right": "retention:read"})
    async def retention(
        self, principal: Principal, as_of: date | None = None, by: By = None, compare: bool = False,
        period_start: date | None = None, period_end: date | None = None,
    ) -> dict[str, Any]:
        """Lived-experience retention (definitions in docs/retention.md); ``compare`` adds all other roles."""
        if (period_start is None) != (period_end is None):
            raise InvalidInput("period_start and period_end go together.")
        period = (period_start, period_end) if period_start and period_end else None
        reports = await reports_for(principal, as_of, by=by if by is not None else BREAKDOWNS, compare=compare,
                                    period=period)
        # The reports themselves, not to_dict(): the JSON encoder writes dataclasses, dates and
        # tuples as to_dict() would (the same bytes), without a Python dict per curve point.
        return {"lived_experience": reports[0], "other_roles": reports[1] if compare else None}

    @get("/chart.svg", media_type="image/svg+xml", opt={"right": "retention:read"})
    async def chart_svg(self, principal: Principal, as_of: date | None = None, compare: bool = False) -> Response[bytes]:
        return Response(await chart_for(principal, as_of, compare, "svg"), media_type="image/svg+xml",
                        headers=attachment(chart_filename(principal, as_of, compare, "svg")))

    @get("/chart.png", media_type="image/png", opt={"right": "retention:read"})
    async def chart_png(self, principal: Principal, as_of: date | None = None, compare: bool = False) -> Response[bytes]:
        return Response(await chart_for(principal, as_of, compare, "png"), media_type="image/png",
                        headers=attachment(chart_filename(principal, as_of, compare, "png")))

    @get("/equality", opt={"right": "equality:read"})
    async def equality(self, principal: Principal, as_of: date | None = None) -> EqualityRetentionOut:
        """Retention split by WRES ethnicity group and WDES disability group (admin and HR;
        aggregates only, groups under 5 people read "<5" with rates withheld; every read audited)."""
        from peerwork.retention.equality import retention_by_equality

        result = await retention_by_equality(principal, as_of)
        return EqualityRetentionOut(as_of=result.as_of, spells=result.spells, described=result.described,
                                    characteristics=[split_out(s) for s in result.splits])


ROUTES = [RetentionController]
