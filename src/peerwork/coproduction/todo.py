"""Co-production on the home page: for finance, how many involvement lines are due; for anyone
recorded, what is due to them. (The pages have no place in the main navigation yet, so this is
also how people find them.)"""

from __future__ import annotations

from peerwork.core.access import Principal
from peerwork.core.todo import TodoItem
from peerwork.coproduction.money import pounds
from peerwork.coproduction.payments import my_participant_ids
from peerwork.coproduction.tables import InvolvementLine

SECTION = "Co-production"


async def todo(principal: Principal) -> list[TodoItem]:
    result = []
    if principal.can("coproduction:finance"):
        due = await InvolvementLine.count().where(
            (InvolvementLine.organisation == principal.organisation_id) & (InvolvementLine.status == "due"))
        if due:
            result.append(TodoItem(kind="coproduction.due", section=SECTION, href="/coproduction/finance", count=due,
                                   title=("1 involvement payment is due" if due == 1
                                          else f"{due} involvement payments are due")))
    if principal.can("coproduction:mine"):
        ids = await my_participant_ids(principal)
        rows = await InvolvementLine.select(InvolvementLine.amount_pence, InvolvementLine.expenses_pence).where(
            InvolvementLine.participant.is_in(ids) & (InvolvementLine.status == "due")) if ids else []
        owed = sum(r["amount_pence"] + r["expenses_pence"] for r in rows)
        if owed > 0:
            result.append(TodoItem(kind="coproduction.mine", section=SECTION, href="/coproduction/mine",
                                   title=f"£{pounds(owed)} is due to you for involvement"))
    return result


TODO = todo
