"""An unaccepted request closes at the end of its day: the asker is told nobody was free and
pointed to other support. Each request is closed by a conditional update with its email, so
two runs (or two instances) never tell anyone twice."""

from __future__ import annotations

from datetime import datetime

from peerwork.core import audit
from peerwork.core.db import transaction
from peerwork.core.time import LONDON, now
from peerwork.debrief import notify
from peerwork.debrief.tables import DebriefRequest


async def expire_before(due: datetime) -> int:
    """Close every request still open from a day before ``due``'s London date; how many."""
    today = due.astimezone(LONDON).date()
    ids = await DebriefRequest.select(DebriefRequest.id).where(
        (DebriefRequest.status == "open") & (DebriefRequest.day < today)).output(as_list=True)
    closed = 0
    for request_id in ids:
        async with transaction():
            moved = await DebriefRequest.update({
                DebriefRequest.status: "expired", DebriefRequest.closed_at: now(), DebriefRequest.updated_at: now(),
            }).where((DebriefRequest.id == request_id) & (DebriefRequest.status == "open")).returning(
                DebriefRequest.id)
            if not moved:
                continue
            row = await DebriefRequest.select().where(DebriefRequest.id == request_id).first()
            await notify.nobody_free(row)
            await audit.record(None, "update", "debrief_request", request_id, organisation_id=row["organisation"],
                               status="expired")
            closed += 1
    return closed
