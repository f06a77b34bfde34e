"""Debriefs on the home page: for a debriefer on call, colleagues waiting for one today."""

from __future__ import annotations

from peerwork.core.access import Principal
from peerwork.core.todo import TodoItem
from peerwork.debrief.taking import offers

SECTION = "Debrief"


async def todo(principal: Principal) -> list[TodoItem]:
    if not principal.can("debrief:give"):
        return []
    waiting = await offers(principal)
    if not waiting:
        return []
    title = ("A colleague asked for a debrief today: take it if you can" if len(waiting) == 1
             else f"{len(waiting)} colleagues asked for a debrief today: take one if you can")
    return [TodoItem(kind="debrief.waiting", section=SECTION, priority="urgent", href="/debrief",
                     count=len(waiting), title=title)]


TODO = todo
