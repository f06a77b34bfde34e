"""The daily rota of on-call peer debriefers: who is on call on which (London) days.

Peer leads keep it; anyone in a peer role in the organisation (``ELIGIBLE_ROLES``) may be on it.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import InvalidInput, NotFound, is_unique_violation
from peerwork.core.tables import Account, Membership
from peerwork.core.tenancy import one_in_organisation
from peerwork.core.time import LONDON, now
from peerwork.debrief.schemas import RotaDayOut, RotaEntry, RotaIn, RotaPerson, RotaWeekOut
from peerwork.debrief.tables import DebriefRota

ELIGIBLE_ROLES = ("psw", "peer_lead", "supervisor")
# How far ahead a rota may be set: enough for a quarter's planning, not a typo's year 3000.
FURTHEST = timedelta(days=400)


def today() -> date:
    """The London date now: a debrief asked at 00:30 UK time is that day's rota's."""
    return now().astimezone(LONDON).date()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def eligible(organisation_id: UUID) -> list[RotaPerson]:
    ids = await Membership.select(Membership.account).where(
        (Membership.organisation == organisation_id) & Membership.role.is_in(list(ELIGIBLE_ROLES))
    ).output(as_list=True)
    if not ids:
        return []
    rows = await Account.select(Account.id, Account.display_name).where(
        Account.id.is_in(list(set(ids))) & (Account.is_active == True)  # noqa: E712
    ).order_by(Account.display_name)
    return [RotaPerson(account_id=r["id"], name=r["display_name"]) for r in rows]


async def on_call(organisation_id: UUID, day: date) -> list[UUID]:
    """The debriefers on call on ``day`` (still active and in a peer role)."""
    ids = await DebriefRota.select(DebriefRota.account).where(
        (DebriefRota.organisation == organisation_id) & (DebriefRota.day == day)).output(as_list=True)
    allowed = {p.account_id for p in await eligible(organisation_id)}
    return [i for i in ids if i in allowed]


async def is_on_call(principal: Principal, day: date) -> bool:
    return principal.account_id in await on_call(principal.organisation_id, day)


async def week(principal: Principal, start: date | None = None) -> RotaWeekOut:
    principal.require("debrief:rota")
    if start is not None and abs(start - today()) > FURTHEST:
        raise InvalidInput("start: choose a week within a year of today")
    first = week_start(start or today())
    rows = await DebriefRota.select(DebriefRota.id, DebriefRota.day, DebriefRota.account,
                                    DebriefRota.account.display_name.as_alias("name")).where(
        (DebriefRota.organisation == principal.organisation_id) & (DebriefRota.day >= first)
        & (DebriefRota.day < first + timedelta(days=7))).order_by(DebriefRota.account.display_name)
    days = [RotaDayOut(day=first + timedelta(days=i), on_call=[]) for i in range(7)]
    for r in rows:
        days[(r["day"] - first).days].on_call.append(RotaEntry(id=r["id"], account_id=r["account"], name=r["name"]))
    return RotaWeekOut(start=first, days=days, eligible=await eligible(principal.organisation_id))


async def add(principal: Principal, data: RotaIn) -> RotaEntry:
    """Put someone on call on a day; adding them twice changes nothing."""
    principal.require("debrief:rota")
    if data.day < today() or data.day > today() + FURTHEST:
        raise InvalidInput("day: choose today or a day in the coming year")
    person = next((p for p in await eligible(principal.organisation_id) if p.account_id == data.account_id), None)
    if person is None:
        raise NotFound("No such person in a peer role here.")
    where = ((DebriefRota.organisation == principal.organisation_id) & (DebriefRota.day == data.day)
             & (DebriefRota.account == data.account_id))
    try:
        async with transaction():
            found = await DebriefRota.select(DebriefRota.id).where(where).first()
            if found is None:
                entry = DebriefRota(organisation=principal.organisation_id, day=data.day, account=data.account_id,
                                    added_by=principal.account_id)
                await entry.save()
                await audit.record(principal, "create", "debrief_rota", entry.id, day=data.day.isoformat())
                found = {"id": entry.id}
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        found = await DebriefRota.select(DebriefRota.id).where(where).first()  # added at the same moment
    return RotaEntry(id=found["id"], account_id=person.account_id, name=person.name)


async def remove(principal: Principal, entry_id: UUID) -> None:
    principal.require("debrief:rota")
    await one_in_organisation(DebriefRota, principal.organisation_id, entry_id, (DebriefRota.id,),
                              "No such rota entry.")
    async with transaction():
        await DebriefRota.delete().where(DebriefRota.id == entry_id)
        await audit.record(principal, "delete", "debrief_rota", entry_id)
