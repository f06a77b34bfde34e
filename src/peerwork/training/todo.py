"""Training on the home page: places waiting for your approval, and places someone else booked
for you (to keep or decline)."""

from __future__ import annotations

from peerwork.core.access import Principal
from peerwork.core.todo import TodoItem
from peerwork.training.places import awaiting_me, my_requests

SECTION = "Training"


async def todo(principal: Principal) -> list[TodoItem]:
    if not principal.can("training:book"):
        return []
    result = []
    waiting = await awaiting_me(principal)
    if waiting:
        result.append(TodoItem(
            kind="training.approval", section=SECTION, priority="soon", href="/training", count=len(waiting),
            title=(f"{waiting[0].name} asked for a place on {waiting[0].title}: approve or refuse it"
                   if len(waiting) == 1 else f"{len(waiting)} training places are waiting for your approval")))
    for r in await my_requests(principal):
        if r.status == "booked":
            result.append(TodoItem(kind="training.booked_for_you", section=SECTION, href=f"/training/runs/{r.run_id}",
                                   title=f"{r.booked_by} booked you a place on {r.title}: keep it or decline it"))
    return result


TODO = todo
