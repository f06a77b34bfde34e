"""Who sees what of a request: the asker and the debriefer who took it see all of it (the
debriefer's read is audited); a debriefer on call that day sees only that a colleague asked,
when, and whether it is still open; anyone else is told it does not exist."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.errors import NotFound
from peerwork.core.tables import Account
from peerwork.debrief import rota
from peerwork.debrief.schemas import RequestOut
from peerwork.debrief.tables import DebriefRequest

MISSING = "No such debrief request."


async def load(principal: Principal, request_id: UUID) -> dict[str, Any]:
    row = await DebriefRequest.select().where(
        (DebriefRequest.id == request_id) & (DebriefRequest.organisation == principal.organisation_id)).first()
    if row is None:
        raise NotFound(MISSING)
    return row


async def _names(ids: list[UUID | None]) -> dict[UUID, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = await Account.select(Account.id, Account.display_name).where(Account.id.is_in(wanted))
    return {r["id"]: r["display_name"] for r in rows}


def redacted(row: dict[str, Any]) -> RequestOut:
    return RequestOut(id=row["id"], day=row["day"], status=row["status"], created_at=row["created_at"],
                      mine=False, taken_by_me=False)


async def full(principal: Principal, row: dict[str, Any]) -> RequestOut:
    mine, taken = row["requester"] == principal.account_id, row["accepted_by"] == principal.account_id
    if taken and not mine:
        await audit.record(principal, "read", "debrief_request", row["id"], fields=["reason", "note", "requester"])
    names = await _names([row["requester"], row["accepted_by"]])
    return RequestOut(
        id=row["id"], day=row["day"], status=row["status"], created_at=row["created_at"], mine=mine,
        taken_by_me=taken, reason=row["reason"], note=row["note"], requester=names.get(row["requester"]),
        accepted_by=names.get(row["accepted_by"]), accepted_at=row["accepted_at"], slot_start=row["slot_start"],
        slot_end=row["slot_end"])


async def view(principal: Principal, row: dict[str, Any]) -> RequestOut:
    if principal.account_id in (row["requester"], row["accepted_by"]):
        return await full(principal, row)
    if principal.can("debrief:give") and await rota.is_on_call(principal, row["day"]):
        return redacted(row)
    raise NotFound(MISSING)


async def get(principal: Principal, request_id: UUID) -> RequestOut:
    principal.require("debrief:ask")
    return await view(principal, await load(principal, request_id))
