"""Pairing on the home page (your pair; new starters without one) and on a person's page."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from peerwork.core.access import Principal
from peerwork.core.todo import PersonFact, PersonSection, TodoItem, person_accounts
from peerwork.pairing.service import list_pairs, load_pool
from peerwork.pairing.tables import Pair

SECTION = "Pairing"
PURPOSE = {"buddy": "buddy", "co_facilitation": "co-facilitation partner", "linked_role": "linked-role partner"}


async def _live_pairs_of(accounts: list[UUID], organisation_id: UUID) -> list[dict[str, Any]]:
    if not accounts:
        return []
    today = date.today()
    rows = await Pair.select(
        Pair.new_peer, Pair.new_peer.display_name.as_alias("new_name"), Pair.experienced_peer,
        Pair.experienced_peer.display_name.as_alias("experienced_name"), Pair.purpose, Pair.start_date, Pair.end_date,
    ).where((Pair.new_peer.is_in(accounts) | Pair.experienced_peer.is_in(accounts))
            & (Pair.organisation == organisation_id)).order_by(Pair.start_date)
    return [r for r in rows if r["end_date"] is None or r["end_date"] > today]


def _partner(row: dict[str, Any], accounts: list[UUID]) -> str:
    return row["experienced_name"] if row["new_peer"] in accounts else row["new_name"]


async def _my_pairs(principal: Principal) -> list[TodoItem]:
    return [TodoItem(kind="pairing.my_pair", section=SECTION, href="/pairing/profile",
                     title=f"Your {PURPOSE.get(r['purpose'], 'pair')}: {_partner(r, [principal.account_id])}, "
                           f"since {r['start_date']}")
            for r in await _live_pairs_of([principal.account_id], principal.organisation_id)]


async def _organisation(principal: Principal) -> list[TodoItem]:
    pool = await load_pool(principal, date.today(), "new_starters")
    items = []
    if pool.new:
        n = len(pool.new)
        items.append(TodoItem(kind="pairing.unpaired_new_starters", section=SECTION, priority="soon", count=n,
                              title=f"{n} new {'starter has' if n == 1 else 'starters have'} no pair",
                              detail="See the suggestions and confirm the pairs you agree with.", href="/pairing"))
    for p in await list_pairs(principal):
        if p.status == "partner_left" and p.needs_new_pair:
            items.append(TodoItem(kind="pairing.partner_left", section=SECTION, priority="soon", href="/pairing",
                                  title=f"{p.needs_new_pair} needs a new pair: their partner has left"))
    return items


async def todo(principal: Principal) -> list[TodoItem]:
    items = await _my_pairs(principal)
    if principal.can("pairing:manage"):
        items += await _organisation(principal)
    return items


async def person(principal: Principal, person_id: UUID) -> PersonSection | None:
    """The person's current pairs, for peer leads and admins and the person themselves."""
    accounts = await person_accounts(principal.organisation_id, person_id)
    if not (principal.can("pairing:manage") or principal.account_id in accounts):
        return None
    facts = [PersonFact(label=PURPOSE.get(r["purpose"], "pair").capitalize(),
                        value=f"{_partner(r, accounts)}, since {r['start_date']}")
             for r in await _live_pairs_of(accounts, principal.organisation_id)]
    return PersonSection(kind="pairing", title=SECTION, facts=facts, empty="No pair at the moment.")


TODO = todo
PERSON = person
