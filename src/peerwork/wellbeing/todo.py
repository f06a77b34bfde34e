"""Wellbeing on the home page: the owner's own wellness plan or adjustments passport once its
review date has come, as the reminder email says. Only the owner sees it, and it names which
record is due, never a word of it."""

from __future__ import annotations

from peerwork.core.access import Principal
from peerwork.core.time import london_today
from peerwork.core.todo import TodoItem
from peerwork.wellbeing.reminders import due_for_review, due_line

SECTION = "Wellbeing"


async def todo(principal: Principal) -> list[TodoItem]:
    if not principal.can("wellbeing:own"):
        return []
    # Records belong to their owner, wherever they were written: the same ones "My wellbeing" shows.
    due = await due_for_review(principal.account_id, london_today())
    return [TodoItem(kind="wellbeing.review_due", section=SECTION, priority="soon", title=due_line(row["kind"]),
                     href=f"/wellbeing#{row['kind']}", due=row["review_date"])
            for row in due]


TODO = todo
