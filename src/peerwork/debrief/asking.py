"""Asking for a debrief, and cancelling the request.

A request goes to the debriefers on call that (London) day, by email through the outbox, in
the transaction that records it. Asking again while a request is still open gives back that
request (a double click is not two requests)."""

from __future__ import annotations

from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, PermissionDenied, is_unique_violation
from peerwork.core.time import now
from peerwork.debrief import notify, rota, views
from peerwork.debrief.schemas import RequestIn, RequestOut
from peerwork.debrief.tables import DebriefRequest

OPEN_OR_TAKEN = ["open", "accepted"]


async def _waiting(principal: Principal, day) -> RequestOut | None:
    row = await DebriefRequest.select().where(
        (DebriefRequest.organisation == principal.organisation_id)
        & (DebriefRequest.requester == principal.account_id) & (DebriefRequest.status == "open")
        & (DebriefRequest.day == day)).first()
    if row is None:
        return None
    out = await views.full(principal, row)
    out.debriefers_told = 0
    return out


async def ask(principal: Principal, data: RequestIn) -> RequestOut:
    principal.require("debrief:ask")
    day = rota.today()
    try:
        return await _ask(principal, data, day)
    except Exception as exc:
        # The same person asking at the same moment elsewhere: one waiting request per day
        # (a unique index); this answer is that request.
        if not is_unique_violation(exc):
            raise
        waiting = await _waiting(principal, day)
        if waiting is None:
            raise
        return waiting


async def _ask(principal: Principal, data: RequestIn, day) -> RequestOut:
    async with transaction():
        waiting = await _waiting(principal, day)
        if waiting is not None:
            return waiting
        made = DebriefRequest(organisation=principal.organisation_id, requester=principal.account_id, day=day,
                              reason=data.reason, note=data.note.strip())
        await made.save()
        row = await DebriefRequest.select().where(DebriefRequest.id == made.id).first()
        # The asker is never their own debriefer, even on call that day.
        debriefers = [a for a in await rota.on_call(principal.organisation_id, day) if a != principal.account_id]
        told = await notify.debrief_asked(row, debriefers)
        await audit.record(principal, "create", "debrief_request", made.id, debriefers_told=told)
    out = await views.full(principal, row)
    out.debriefers_told = told
    return out


async def mine(principal: Principal) -> list[RequestOut]:
    principal.require("debrief:ask")
    rows = await DebriefRequest.select().where(
        (DebriefRequest.organisation == principal.organisation_id) & (DebriefRequest.requester == principal.account_id)
    ).order_by(DebriefRequest.created_at, ascending=False).limit(50)
    return [await views.full(principal, r) for r in rows]


async def cancel(principal: Principal, request_id: UUID) -> RequestOut:
    """The asker calls it off, open or taken; a taken slot comes out of both calendars."""
    principal.require("debrief:ask")
    row = await views.load(principal, request_id)
    await views.view(principal, row)  # NotFound unless the caller may see it
    if row["requester"] != principal.account_id:
        raise PermissionDenied("Only the colleague who asked can cancel a debrief request.")
    if row["slot_end"] is not None and row["slot_end"] <= now():
        raise Conflict("This debrief has already taken place.")
    async with transaction():
        moved = await DebriefRequest.update({
            DebriefRequest.status: "cancelled", DebriefRequest.closed_at: now(), DebriefRequest.updated_at: now(),
            DebriefRequest.sequence: DebriefRequest.sequence + 1,
        }).where((DebriefRequest.id == request_id) & DebriefRequest.status.is_in(OPEN_OR_TAKEN)).returning(
            DebriefRequest.id)
        if not moved:
            raise Conflict("This debrief request is already closed.")
        row = await views.load(principal, request_id)
        if row["accepted_by"] is not None:
            await notify.slot_changed(row, "CANCEL")
        await audit.record(principal, "update", "debrief_request", request_id, status="cancelled")
    return await views.full(principal, await views.load(principal, request_id))
