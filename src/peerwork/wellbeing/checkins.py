"""Quick private check-ins: "Do I need connection, rest or support today?"

Only the person who checked in ever reads one: every query here is by the caller's own
account, and no route takes a check-in's id or another person. A note is sealed like the plan's
words. Check-ins are not written to the audit log: an entry would show admins, who read the log,
when and how often someone checked in, which is itself theirs alone. No figure counts them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from peerwork.community import spaces
from peerwork.core import crypto
from peerwork.core.access import Principal
from peerwork.core.time import in_london, now
from peerwork.supervision.agreements import list_agreements
from peerwork.wellbeing import documents
from peerwork.wellbeing.schemas import CheckInIn, CheckInOut
from peerwork.wellbeing.suggest import NextSpace, suggestion
from peerwork.wellbeing.tables import WellbeingCheckIn

SHOWN = 20
CONNECTING_KINDS = ("co_reflection", "social_drop_in")


def associated(owner: UUID, check_in_id: UUID) -> str:
    return f"wellbeing-check-in:{owner}:{check_in_id}:note"


async def _next_space(principal: Principal) -> NextSpace | None:
    """The soonest co-reflection or drop-in still open for booking, read through the reflective
    spaces' own listing (so it is only what the person may see and book)."""
    for occurrence in await spaces.coming_up(principal, None, None):
        if occurrence.kind in CONNECTING_KINDS and occurrence.booking_open and occurrence.status == "scheduled":
            return NextSpace(occurrence.title, in_london(occurrence.start),  # said in UK time
                             f"/community/occurrences/{occurrence.id}")
    return None


async def _supervisor(principal: Principal) -> str:
    """The name of the caller's current one-to-one supervisor, if they have one."""
    for agreement in await list_agreements(principal):
        if agreement.kind == "one_to_one" and agreement.supervisee_id == principal.account_id \
                and agreement.status != "ended":
            return agreement.supervisor
    return ""


async def check_in(principal: Principal, data: CheckInIn) -> CheckInOut:
    principal.require("wellbeing:own")
    check_in_id, note = uuid.uuid4(), data.note.strip()
    sealed = crypto.seal(note, associated=associated(principal.account_id, check_in_id)) if note else None
    at = now()
    await WellbeingCheckIn(id=check_in_id, organisation=principal.organisation_id, owner=principal.account_id,
                           need=data.need, sealed_note=sealed, key_id=crypto.sealed_key_id(sealed) if sealed else None,
                           created_at=at).save()
    what_helps = ""
    if data.need == "rest":
        plan = await documents.mine(principal, "plan")
        what_helps = plan.text.get("what_helps", "") if plan else ""
    next_space = await _next_space(principal) if data.need == "connection" else None
    supervisor = await _supervisor(principal) if data.need == "support" else ""
    return CheckInOut(id=check_in_id, need=data.need, note=note, at=at, suggestion=suggestion(
        data.need, next_space=next_space, what_helps=what_helps, supervisor=supervisor))


def _out(row: dict[str, Any], owner: UUID) -> CheckInOut:
    note = crypto.open_sealed(row["sealed_note"], associated=associated(owner, row["id"])) if row["sealed_note"] else ""
    at: datetime = row["created_at"]
    return CheckInOut(id=row["id"], need=row["need"], note=note, at=at)


async def mine(principal: Principal) -> list[CheckInOut]:
    """The caller's own latest check-ins, newest first."""
    principal.require("wellbeing:own")
    rows = await WellbeingCheckIn.select(
        WellbeingCheckIn.id, WellbeingCheckIn.need, WellbeingCheckIn.sealed_note, WellbeingCheckIn.created_at,
    ).where(WellbeingCheckIn.owner == principal.account_id).order_by(WellbeingCheckIn.created_at, ascending=False
                                                                     ).limit(SHOWN)
    return [_out(row, principal.account_id) for row in rows]
