"""The debrief figures for peer leads, HR and admins: no names, small numbers suppressed."""

from __future__ import annotations

from datetime import date

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.errors import InvalidInput
from peerwork.debrief import rota, stats
from peerwork.debrief.schemas import FiguresOut
from peerwork.debrief.tables import DebriefRequest

MAX_MONTHS = 36


async def figures(principal: Principal, months: int = 12) -> FiguresOut:
    principal.require("debrief:figures")
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput(f"months: from 1 to {MAX_MONTHS}")
    keys = stats.months_back(rota.today(), months)
    first = date.fromisoformat(f"{keys[0]}-01")
    rows = await DebriefRequest.select(DebriefRequest.day, DebriefRequest.created_at, DebriefRequest.accepted_at).where(
        (DebriefRequest.organisation == principal.organisation_id) & (DebriefRequest.day >= first))
    asked: dict[str, list] = {}
    for r in rows:
        asked.setdefault(stats.month_key(r["day"]), []).append((r["created_at"], r["accepted_at"]))
    await audit.record(principal, "read", "debrief_figures", None, aggregate=True, months=months)
    return FiguresOut(months=stats.figures(keys, asked))
