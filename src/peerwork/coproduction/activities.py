"""Involvement activities and their lines: who took part, for how long, and what is due.

A line's rate and the person's payment preference are copied from the policy when the line is
recorded. While a line is due its time and expenses may be edited (the amount follows, at the
copied rate); once paid it is never changed: a correcting line records the difference.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound
from peerwork.core.tenancy import one_in_organisation
from peerwork.coproduction import participants
from peerwork.coproduction.money import line_amount
from peerwork.coproduction.policy import policy_row, rate_for
from peerwork.coproduction.schemas import (
    ActivityIn, ActivityOut, ActivitySummary, CorrectionIn, LineEdit, LineIn, LineOut,
)
from peerwork.coproduction.tables import Activity, InvolvementLine, Participant

_ACTIVITY = (Activity.id, Activity.title, Activity.kind, Activity.held_on, Activity.description, Activity.source_key)
_LINE = (InvolvementLine.id, InvolvementLine.activity, InvolvementLine.participant, InvolvementLine.minutes,
         InvolvementLine.rate_pence, InvolvementLine.preference, InvolvementLine.amount_pence,
         InvolvementLine.expenses_pence, InvolvementLine.status, InvolvementLine.paid_on, InvolvementLine.corrects,
         InvolvementLine.note)
NO_EXPENSES = "expenses_pence: your involvement policy does not reimburse expenses"


def new_line(policy: dict[str, Any], kind: str, participant: dict[str, Any], minutes: int, expenses_pence: int, *,
             activity: UUID, organisation: UUID, rate_pence: int | None = None, source_key: str | None = None,
             note: str = "") -> InvolvementLine:
    """A line due at the policy's rate for the kind (or ``rate_pence``) and the person's
    current preference, both copied onto the line."""
    if expenses_pence and not policy["reimburse_expenses"]:
        raise InvalidInput(NO_EXPENSES)
    rate = rate_for(policy, kind) if rate_pence is None else rate_pence
    return InvolvementLine(activity=activity, organisation=organisation, participant=participant["id"],
                           minutes=minutes, rate_pence=rate, preference=participant["preference"],
                           amount_pence=line_amount(rate, minutes, participant["preference"]),
                           expenses_pence=expenses_pence, status="due", source_key=source_key, note=note)


def line_out(row: dict[str, Any]) -> LineOut:
    return LineOut(id=row["id"], activity_id=row["activity"], participant_id=row["participant"], name=row["name"],
                   minutes=row["minutes"], rate_pence=row["rate_pence"], preference=row["preference"],
                   amount_pence=row["amount_pence"], expenses_pence=row["expenses_pence"], status=row["status"],
                   paid_on=row["paid_on"], corrects=row["corrects"], note=row["note"])


async def _participants(principal: Principal, lines: list[LineIn]) -> dict[UUID, dict[str, Any]]:
    ids = {line.participant_id for line in lines}
    if len(ids) != len(lines):
        raise InvalidInput("lines: each person once per activity")
    rows = await Participant.select(*participants.COLUMNS).where(
        (Participant.organisation == principal.organisation_id) & Participant.id.is_in(list(ids))) if ids else []
    found = {r["id"]: r for r in rows}
    participants.require_known(ids, set(found))
    return found


async def create_activity(principal: Principal, data: ActivityIn) -> ActivityOut:
    principal.require("coproduction:manage")
    found = await _participants(principal, data.lines)
    policy = await policy_row(principal.organisation_id)
    activity = Activity(organisation=principal.organisation_id, title=data.title.strip(), kind=data.kind,
                        held_on=data.held_on, description=data.description.strip(),
                        created_by=principal.account_id)
    lines = [new_line(policy, data.kind, found[line.participant_id], line.minutes, line.expenses_pence,
                      activity=activity.id, organisation=principal.organisation_id) for line in data.lines]
    async with transaction():
        await activity.save()
        if lines:
            await InvolvementLine.insert(*lines)
        await audit.record(principal, "create", "coproduction_activity", activity.id, lines=len(lines))
    return await get_activity(principal, activity.id, audited=False)


async def _activity(principal: Principal, activity_id: UUID) -> dict[str, Any]:
    return await one_in_organisation(Activity, principal.organisation_id, activity_id, _ACTIVITY, "No such activity.")


async def lines_of(organisation_id: UUID, where: Any) -> list[dict[str, Any]]:
    return await InvolvementLine.select(*_LINE, InvolvementLine.participant.name.as_alias("name")).where(
        (InvolvementLine.organisation == organisation_id) & where).order_by(InvolvementLine.created_at)


async def get_activity(principal: Principal, activity_id: UUID, *, audited: bool = True) -> ActivityOut:
    """An activity with everyone's lines: who was paid what is personal, so the read is audited."""
    principal.require("coproduction:manage")
    row = await _activity(principal, activity_id)
    lines = await lines_of(principal.organisation_id, InvolvementLine.activity == activity_id)
    if audited:
        await audit.record(principal, "read", "coproduction_activity", activity_id)
    return ActivityOut(id=row["id"], title=row["title"], kind=row["kind"], held_on=row["held_on"],
                       description=row["description"], automatic=row["source_key"] is not None,
                       lines=[line_out(r) for r in lines])


async def list_activities(principal: Principal, start: date | None = None, end: date | None = None
                          ) -> list[ActivitySummary]:
    principal.require("coproduction:manage")
    where = Activity.organisation == principal.organisation_id
    if start is not None:
        where &= Activity.held_on >= start
    if end is not None:
        where &= Activity.held_on <= end
    rows = await Activity.select(*_ACTIVITY).where(where).order_by(Activity.held_on, ascending=False)
    lines = await InvolvementLine.select(
        InvolvementLine.activity, InvolvementLine.participant, InvolvementLine.minutes, InvolvementLine.amount_pence,
        InvolvementLine.expenses_pence, InvolvementLine.status).where(
        InvolvementLine.activity.is_in([r["id"] for r in rows])) if rows else []
    out = []
    for r in rows:
        mine = [line for line in lines if line["activity"] == r["id"]]
        money = {s: sum(line["amount_pence"] + line["expenses_pence"] for line in mine if line["status"] == s)
                 for s in ("due", "paid")}
        out.append(ActivitySummary(id=r["id"], title=r["title"], kind=r["kind"], held_on=r["held_on"],
                                   people=len({line["participant"] for line in mine}),
                                   minutes=sum(line["minutes"] for line in mine), due_pence=money["due"],
                                   paid_pence=money["paid"]))
    return out


async def add_line(principal: Principal, activity_id: UUID, data: LineIn) -> LineOut:
    principal.require("coproduction:manage")
    activity = await _activity(principal, activity_id)
    person = (await _participants(principal, [data]))[data.participant_id]
    if await InvolvementLine.exists().where((InvolvementLine.activity == activity_id)
                                            & (InvolvementLine.participant == data.participant_id)):
        raise Conflict("This person is already recorded on the activity: edit their line instead.")
    line = new_line(await policy_row(principal.organisation_id), activity["kind"], person, data.minutes,
                    data.expenses_pence, activity=activity_id, organisation=principal.organisation_id)
    async with transaction():
        await line.save()
        await audit.record(principal, "create", "coproduction_line", line.id, activity=str(activity_id))
    return await _line(principal, line.id)


async def _line(principal: Principal, line_id: UUID) -> LineOut:
    rows = await lines_of(principal.organisation_id, InvolvementLine.id == line_id)
    if not rows:
        raise NotFound("No such line.")
    return line_out(rows[0])


async def edit_line(principal: Principal, line_id: UUID, data: LineEdit) -> LineOut:
    """Change a due line's time or expenses; the amount follows at the rate copied onto it."""
    principal.require("coproduction:manage")
    row = await one_in_organisation(InvolvementLine, principal.organisation_id, line_id, _LINE, "No such line.")
    if row["status"] != "due":
        raise Conflict("This line has been paid: record a correction instead.")
    if row["corrects"] is not None:
        raise Conflict("A correction cannot be edited: record another correction on the original line.")
    minutes = row["minutes"] if data.minutes is None else data.minutes
    expenses = row["expenses_pence"] if data.expenses_pence is None else data.expenses_pence
    if expenses > row["expenses_pence"] and not (await policy_row(principal.organisation_id))["reimburse_expenses"]:
        raise InvalidInput(NO_EXPENSES)
    async with transaction():
        # Only while still due: a payment marked meanwhile wins and this edit changes nothing.
        changed = await InvolvementLine.update({
            InvolvementLine.minutes: minutes, InvolvementLine.expenses_pence: expenses,
            InvolvementLine.amount_pence: line_amount(row["rate_pence"], minutes, row["preference"]),
        }).where((InvolvementLine.id == line_id) & (InvolvementLine.status == "due")).returning(InvolvementLine.id)
        if not changed:
            raise Conflict("This line has been paid: record a correction instead.")
        await audit.record(principal, "update", "coproduction_line", line_id, fields=["minutes", "expenses_pence"])
    return await _line(principal, line_id)


async def correct_line(principal: Principal, line_id: UUID, data: CorrectionIn) -> LineOut:
    """Record what a paid line should have said: a new line, due, carrying the difference
    (negative when too much was paid) at the original line's rate and preference."""
    principal.require("coproduction:manage")
    row = await one_in_organisation(InvolvementLine, principal.organisation_id, line_id, _LINE, "No such line.")
    if row["corrects"] is not None:
        raise Conflict("Correct the original line, not a correction.")
    if row["status"] != "paid":
        raise Conflict("This line is still due: edit it instead.")
    async with transaction():
        so_far = [row, *await InvolvementLine.select(*_LINE).where(InvolvementLine.corrects == line_id)]
        delta = {
            "minutes": data.minutes - sum(r["minutes"] for r in so_far),
            "amount_pence": line_amount(row["rate_pence"], data.minutes, row["preference"])
            - sum(r["amount_pence"] for r in so_far),
            "expenses_pence": data.expenses_pence - sum(r["expenses_pence"] for r in so_far),
        }
        if not any(delta.values()):
            raise InvalidInput("Nothing to correct: the line and its corrections already say this.")
        correction = InvolvementLine(organisation=principal.organisation_id, activity=row["activity"],
                                     participant=row["participant"], rate_pence=row["rate_pence"],
                                     preference=row["preference"], status="due", corrects=line_id,
                                     note=data.note.strip(), **delta)
        await correction.save()
        await audit.record(principal, "create", "coproduction_line", correction.id, corrects=str(line_id))
    return await _line(principal, correction.id)
