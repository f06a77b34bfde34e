"""What is due and what was paid: a person's own record, finance's CSV of what is due, and
marking lines paid. Finance's export is audited; nobody sees another person's record here
without the finance or manage right."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound
from peerwork.core.export import write_csv
from peerwork.core.time import LONDON, now
from peerwork.coproduction.participants import identity_key
from peerwork.coproduction.money import hours, pounds
from peerwork.coproduction.schemas import KIND_LABELS, PREFERENCE_LABELS, MyLine, MyRecord, PaidIn, PaidOut
from peerwork.coproduction.tables import InvolvementLine, Participant

CSV_COLUMNS = ("activity_date", "activity", "kind", "payee", "email", "preference", "hours", "rate_per_hour_gbp",
               "amount_gbp", "expenses_gbp", "total_gbp", "line_id", "corrects_line_id")


async def my_participant_ids(principal: Principal) -> list[UUID]:
    """The participant records that are the signed-in person: their staff record, their
    account, or the email they sign in with (someone added by name and email before they had
    an account; matched exactly through the identity key, never as a LIKE pattern)."""
    where = ((Participant.account == principal.account_id)
             | (Participant.identity_key == identity_key(principal.organisation_id, email=principal.email)))
    if principal.person_id is not None:
        where |= Participant.person == principal.person_id
    return await Participant.select(Participant.id).where(
        (Participant.organisation == principal.organisation_id) & where).output(as_list=True)


async def my_record(principal: Principal) -> MyRecord:
    principal.require("coproduction:mine")
    ids = await my_participant_ids(principal)
    rows = await InvolvementLine.select(
        InvolvementLine.minutes, InvolvementLine.amount_pence, InvolvementLine.expenses_pence,
        InvolvementLine.status, InvolvementLine.paid_on, InvolvementLine.corrects,
        InvolvementLine.activity.title.as_alias("title"), InvolvementLine.activity.kind.as_alias("kind"),
        InvolvementLine.activity.held_on.as_alias("held_on")).where(
        (InvolvementLine.organisation == principal.organisation_id) & InvolvementLine.participant.is_in(ids)
    ).order_by(InvolvementLine.activity.held_on, ascending=False) if ids else []
    lines = [MyLine(activity_title=r["title"], kind=r["kind"], held_on=r["held_on"], minutes=r["minutes"],
                    amount_pence=r["amount_pence"], expenses_pence=r["expenses_pence"], status=r["status"],
                    paid_on=r["paid_on"], correction=r["corrects"] is not None) for r in rows]
    return MyRecord(lines=lines, minutes=sum(line.minutes for line in lines),
                    due_pence=sum(line.amount_pence + line.expenses_pence for line in lines if line.status == "due"),
                    paid_pence=sum(line.amount_pence + line.expenses_pence for line in lines if line.status == "paid"))


def date_range(start: date | None, end: date | None) -> tuple[date, date]:
    """The dates asked for; by default the last year up to today (UK)."""
    today = now().astimezone(LONDON).date()
    return start or today - timedelta(days=365), end or today


async def due_rows(principal: Principal, start: date, end: date) -> list[dict[str, Any]]:
    if end < start:
        raise InvalidInput("to: must be on or after from")
    return await InvolvementLine.select(
        InvolvementLine.id, InvolvementLine.minutes, InvolvementLine.rate_pence, InvolvementLine.preference,
        InvolvementLine.amount_pence, InvolvementLine.expenses_pence, InvolvementLine.corrects,
        InvolvementLine.activity.title.as_alias("title"), InvolvementLine.activity.kind.as_alias("kind"),
        InvolvementLine.activity.held_on.as_alias("held_on"), InvolvementLine.participant.name.as_alias("name"),
        InvolvementLine.participant.email.as_alias("email")).where(
        (InvolvementLine.organisation == principal.organisation_id) & (InvolvementLine.status == "due")
        & (InvolvementLine.activity.held_on >= start) & (InvolvementLine.activity.held_on <= end)
    ).order_by(InvolvementLine.activity.held_on).order_by(InvolvementLine.participant.name)


async def due_csv(principal: Principal, start: date | None = None, end: date | None = None) -> str:
    """One row per person-activity line still due for activities held from ``start`` to ``end``
    (by default the last year): money in pounds with two decimals, through the one CSV writer
    (formula cells neutralised)."""
    principal.require("coproduction:finance")
    start, end = date_range(start, end)
    rows = await due_rows(principal, start, end)
    await audit.record(principal, "export", "coproduction_line", None, rows=len(rows),
                       start=start.isoformat(), end=end.isoformat())
    return write_csv(CSV_COLUMNS, [
        (r["held_on"].isoformat(), r["title"], KIND_LABELS.get(r["kind"], r["kind"]), r["name"], r["email"],
         PREFERENCE_LABELS.get(r["preference"], r["preference"]), hours(r["minutes"]), pounds(r["rate_pence"]),
         pounds(r["amount_pence"]), pounds(r["expenses_pence"]), pounds(r["amount_pence"] + r["expenses_pence"]),
         str(r["id"]), str(r["corrects"] or ""))
        for r in rows])


async def mark_paid(principal: Principal, data: PaidIn) -> PaidOut:
    """Mark lines paid on a date, all or none: every line must be this organisation's and due."""
    principal.require("coproduction:finance")
    ids = list(set(data.line_ids))
    async with transaction():
        rows = await InvolvementLine.select(InvolvementLine.id, InvolvementLine.status).where(
            (InvolvementLine.organisation == principal.organisation_id) & InvolvementLine.id.is_in(ids))
        if len(rows) != len(ids):
            raise NotFound("No such line.")
        if any(r["status"] != "due" for r in rows):
            raise Conflict("Some of these lines are already paid.")
        await InvolvementLine.update({InvolvementLine.status: "paid", InvolvementLine.paid_on: data.paid_on}).where(
            InvolvementLine.id.is_in(ids))
        await audit.record(principal, "update", "coproduction_line", None, fields=["status", "paid_on"],
                           lines=len(ids), paid_on=data.paid_on.isoformat())
    return PaidOut(paid=len(ids))
