"""Taking a debrief request: the first on-call debriefer to accept gets it.

Exactly one accepter, however many accept at once on however many instances: the request moves
to accepted by one conditional UPDATE (``WHERE status = 'open' AND accepted_by IS NULL``).
On PostgreSQL a second UPDATE waits on the row lock and, once the first commits, finds the
condition false; on SQLite the write transaction is taken up front. The loser is told it is
already taken (409). The slot, both emails and both invites commit with the acceptance."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from peerwork.core.time import london, now
from peerwork.debrief import notify, rota, views
from peerwork.debrief.schemas import AcceptIn, RequestOut
from peerwork.debrief.tables import DebriefRequest

ALREADY_TAKEN = "Already taken: another debriefer accepted this request first."
QUARTER = timedelta(minutes=15)
# A slot starts soon: a debrief is support now, not a booking weeks ahead.
LATEST_START = timedelta(days=7)


def next_quarter(at: datetime) -> datetime:
    """The next quarter hour after ``at`` (UTC quarters are London quarters)."""
    floor = at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)
    return floor + QUARTER


def slot(data: AcceptIn, at: datetime) -> tuple[datetime, datetime]:
    if data.start_date is None and data.start_time is None:
        start = next_quarter(at)
    elif data.start_date is None or data.start_time is None:
        raise InvalidInput("start_date: give both the date and the time, or neither")
    else:
        start = london(datetime.combine(data.start_date, data.start_time))
    if start < at - QUARTER:
        raise InvalidInput("start_time: choose a time from now on")
    if start > at + LATEST_START:
        raise InvalidInput("start_date: choose a time within the coming week")
    return start, start + timedelta(minutes=data.minutes)


async def offers(principal: Principal) -> list[RequestOut]:
    """Today's open requests for a debriefer on call today (not their own): no names, no text."""
    principal.require("debrief:give")
    day = rota.today()
    if not await rota.is_on_call(principal, day):
        return []
    rows = await DebriefRequest.select().where(
        (DebriefRequest.organisation == principal.organisation_id) & (DebriefRequest.day == day)
        & (DebriefRequest.status == "open") & (DebriefRequest.requester != principal.account_id)
    ).order_by(DebriefRequest.created_at)
    return [views.redacted(r) for r in rows]


async def _check(principal: Principal, row: dict[str, Any]) -> None:
    if row["requester"] == principal.account_id:
        raise PermissionDenied("You cannot take your own debrief request.")
    if row["accepted_by"] == principal.account_id:
        return
    if not await rota.is_on_call(principal, row["day"]):
        raise NotFound(views.MISSING)  # only that day's debriefers know it exists


async def accept(principal: Principal, request_id: UUID, data: AcceptIn) -> RequestOut:
    principal.require("debrief:give")
    row = await views.load(principal, request_id)
    await _check(principal, row)
    at = now()
    start, end = slot(data, at)
    async with transaction():
        taken = await DebriefRequest.update({
            DebriefRequest.status: "accepted", DebriefRequest.accepted_by: principal.account_id,
            DebriefRequest.accepted_at: at, DebriefRequest.slot_start: start, DebriefRequest.slot_end: end,
            DebriefRequest.updated_at: at,
        }).where((DebriefRequest.id == request_id) & (DebriefRequest.status == "open")
                 & DebriefRequest.accepted_by.is_null()).returning(DebriefRequest.id)
        if taken:
            row = await views.load(principal, request_id)
            await notify.slot_changed(row, "REQUEST")
            await audit.record(principal, "update", "debrief_request", request_id, status="accepted")
    if not taken:
        row = await views.load(principal, request_id)
        if row["status"] == "accepted":
            raise Conflict(ALREADY_TAKEN)
        raise Conflict(f"This debrief request is no longer open ({row['status']}).")
    return await views.full(principal, row)
