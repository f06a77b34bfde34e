"""Builders for debrief tests: an organisation with a peer lead, a colleague who asks, two
debriefers on today's rota, one on tomorrow's, and a bystander."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from peerwork.core.tables import OutboxMessage
from peerwork.debrief import asking, rota
from peerwork.debrief.schemas import RequestIn, RotaIn
from tests.factories import User, make_org, make_user

NOTE = "Sorry to ask: the restraint on Willow ward this morning keeps replaying"


@dataclass
class Team:
    org: object
    lead: User
    asker: User
    debriefers: list[User]
    tomorrow: User
    bystander: User


async def make_team(slug: str = "north", debriefers: int = 2, password: str | None = None) -> Team:
    org = await make_org(slug)
    lead = await make_user(org, "peer_lead", email=f"lead@{slug}.example", password=password)
    asker = await make_user(org, "psw", email=f"asker@{slug}.example", password=password)
    on_call = [await make_user(org, "psw" if i % 2 else "supervisor", email=f"debriefer{i}@{slug}.example",
                               password=password) for i in range(debriefers)]
    tomorrow = await make_user(org, "psw", email=f"tomorrow@{slug}.example")
    bystander = await make_user(org, "psw", email=f"bystander@{slug}.example", password=password)
    for person in on_call:
        await rota.add(lead.principal, RotaIn(day=rota.today(), account_id=person.principal.account_id))
    await rota.add(lead.principal, RotaIn(day=rota.today() + timedelta(days=1),
                                          account_id=tomorrow.principal.account_id))
    return Team(org, lead, asker, on_call, tomorrow, bystander)


async def ask(user: User, reason: str = "incident", note: str = NOTE):
    return await asking.ask(user.principal, RequestIn(reason=reason, note=note))


async def mail_to(email: str) -> list[dict]:
    return await OutboxMessage.select().where(OutboxMessage.to_address == email).order_by(OutboxMessage.created_at)
