"""Debrief API: ask, take, cancel; the daily rota; the figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.params import Parameter

from peerwork.core.access import Principal
from peerwork.debrief import asking, figures, rota, taking, views
from peerwork.debrief.schemas import AcceptIn, FiguresOut, RequestIn, RequestOut, RotaEntry, RotaIn, RotaWeekOut


class RequestController(Controller):
    path = "/debrief/requests"
    tags = ["debrief"]

    @post("/", opt={"right": "debrief:ask"})
    async def ask(self, principal: Principal, data: RequestIn) -> RequestOut:
        """Ask for a debrief now: that day's on-call debriefers are emailed (no reason, no note, no name)."""
        return await asking.ask(principal, data)

    @get("/", opt={"right": "debrief:ask"})
    async def mine(self, principal: Principal) -> list[RequestOut]:
        return await asking.mine(principal)

    @get("/open", opt={"right": "debrief:give"})
    async def open_requests(self, principal: Principal) -> list[RequestOut]:
        """Today's requests waiting for a debriefer, for one on call today (no names, no text)."""
        return await taking.offers(principal)

    @get("/{debrief_id:uuid}", opt={"right": "debrief:ask"})
    async def get_request(self, principal: Principal, debrief_id: UUID) -> RequestOut:
        return await views.get(principal, debrief_id)

    @post("/{debrief_id:uuid}/accept", opt={"right": "debrief:give"})
    async def accept(self, principal: Principal, debrief_id: UUID, data: AcceptIn) -> RequestOut:
        """Take the request: the first to accept gets it; anyone after is answered 409."""
        return await taking.accept(principal, debrief_id, data)

    @post("/{debrief_id:uuid}/cancel", opt={"right": "debrief:ask"})
    async def cancel(self, principal: Principal, debrief_id: UUID) -> RequestOut:
        return await asking.cancel(principal, debrief_id)


class RotaController(Controller):
    path = "/debrief/rota"
    tags = ["debrief"]

    @get("/", opt={"right": "debrief:rota"})
    async def week(self, principal: Principal, start: date | None = None) -> RotaWeekOut:
        """Who is on call each day of the week holding ``start`` (default: this week)."""
        return await rota.week(principal, start)

    @post("/", opt={"right": "debrief:rota"})
    async def add(self, principal: Principal, data: RotaIn) -> RotaEntry:
        return await rota.add(principal, data)

    @delete("/{rota_id:uuid}", opt={"right": "debrief:rota"}, status_code=204)
    async def remove(self, principal: Principal, rota_id: UUID) -> None:
        await rota.remove(principal, rota_id)


@get("/debrief/figures", opt={"right": "debrief:figures"}, tags=["debrief"])
async def debrief_figures(principal: Principal,
                          months: Annotated[int, Parameter(ge=1, le=figures.MAX_MONTHS)] = 12) -> FiguresOut:
    """Requests per month and time to first acceptance; no names, counts under 5 shown as "<5"."""
    return await figures.figures(principal, months)


ROUTES = [RequestController, RotaController, debrief_figures]
