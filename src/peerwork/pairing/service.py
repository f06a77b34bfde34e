"""Pairing peers: who may be paired, the suggestions, and the pairs a person confirms.

Suggestions are never acted on automatically (special-category data): a peer lead confirms
each pair, and the service re-checks every rule when they do.

Who is in post comes from the staff records: an account linked to a person counts while that
person holds a lived-experience assignment that has started and not ended (an account with no
staff record counts while it is active). Pairs are recorded between active accounts, so people
in post in a lived-experience role with no account yet (or only a deactivated one) cannot be
paired: the suggestions list them as not yet pairable, with the reason, instead of leaving
them out silently. A peer's line
manager (never suggested as their partner) is the one set in peerwork, or else the holder of
the assignment their own lived-experience assignment names as its line manager's (imported).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from peerwork.pairing.optimiser import Peer, Rules, score, score_parts, suggest, why_not
from peerwork.pairing.schemas import (
    NotPairableOut,
    PairIn,
    PairOut,
    ProfileIn,
    ProfileOut,
    SuggestionOut,
    SuggestionsOut,
)
from peerwork.pairing.tables import Pair, PairingProfile
from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.cpd.tables import LineManager
from peerwork.core.tenancy import network_partners
from peerwork.retention.query import fetch_spells
from peerwork.workforce.staff import in_post as in_post_rule
from peerwork.workforce.tables import Assignment
from peerwork.core.tables import Account, Membership, NetworkMembership, Organisation, Person

EXPERIENCED_DAYS = 365
PEER_ROLES = ("psw", "peer_lead", "supervisor")
NO_ACCOUNT = "no account yet: a pair can only be recorded for someone who has an account"
DEACTIVATED = "their account is deactivated: a pair can only be recorded for someone who can sign in"


@dataclass
class Pool:
    """Everyone pairing could involve, as the pure module sees them."""

    peers: dict[str, Peer] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    organisation_names: dict[str, str] = field(default_factory=dict)
    new: list[str] = field(default_factory=list)  # unpaired PSWs in the caller's organisation
    experienced: list[str] = field(default_factory=list)  # with a free place
    rules: Rules = Rules()
    # In post in the caller's organisation but not pairable (no account), for the scope asked.
    not_pairable: list[NotPairableOut] = field(default_factory=list)


def _pair_is_live(pair: dict[str, Any], in_post: set[UUID], today: date) -> bool:
    return (pair["end_date"] is None or pair["end_date"] > today) and pair["new_peer"] in in_post \
        and pair["experienced_peer"] in in_post




async def _longest_open_spells(organisation_id: UUID, today: date) -> dict[str, int]:
    """Each person in post: days in their current unbroken run of lived-experience roles."""
    longest: dict[str, int] = {}
    for spell in await fetch_spells(organisation_id, today):
        if spell.end is None:
            longest[spell.person] = max(longest.get(spell.person, 0), spell.duration_days)
    return longest


async def _organisation_people(organisation_id: UUID, today: date,
                               longest: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Active peer accounts with their roles, team, time in lived-experience roles, whether in
    post and their imported line manager's account."""
    rows = await Membership.select(Membership.account, Membership.role, Membership.account.display_name,
                                   Membership.account.person).where(
        (Membership.organisation == organisation_id) & (Membership.account.is_active == True)  # noqa: E712
        & Membership.role.is_in(list(PEER_ROLES)))
    people: dict[UUID, dict[str, Any]] = {}
    for r in rows:
        people.setdefault(r["account"], {"account": r["account"], "name": r["account.display_name"],
                                         "person": r["account.person"], "roles": set()})["roles"].add(r["role"])
    persons = [p["person"] for p in people.values() if p["person"]]
    current = await Assignment.select(Assignment.person, Assignment.team, Assignment.start_date,
                                      Assignment.line_manager_assignment_number).where(
        in_post_rule(organisation_id, today) & Assignment.person.is_in(persons)) if persons else []
    team: dict[UUID, tuple[date, UUID | None, str | None]] = {}
    for a in current:
        if a["person"] not in team or a["start_date"] > team[a["person"]][0]:
            team[a["person"]] = (a["start_date"], a["team"], a["line_manager_assignment_number"])
    managers = await _imported_managers(organisation_id, {t[2] for t in team.values() if t[2]})
    if longest is None:
        longest = await _longest_open_spells(organisation_id, today)
    for p in people.values():
        person = p["person"]
        p["in_post"] = person is None or person in team
        p["team"] = str(team[person][1]) if person in team and team[person][1] else None
        p["imported_manager"] = managers.get(team[person][2]) if person in team else None
        p["experienced"] = person is not None and longest.get(str(person), 0) >= EXPERIENCED_DAYS
    return list(people.values())


async def _imported_managers(organisation_id: UUID, numbers: set[str]) -> dict[str, UUID]:
    """For each line manager's assignment number, an account of the person holding it."""
    if not numbers:
        return {}
    holders = {r["assignment_number"]: r["person"] for r in await Assignment.select(
        Assignment.assignment_number, Assignment.person).where(
        (Assignment.organisation == organisation_id) & Assignment.assignment_number.is_in(sorted(numbers)))}
    accounts: dict[UUID, UUID] = {}
    if holders:
        for r in await Account.select(Account.id, Account.person).where(
                Account.person.is_in(list(set(holders.values())))).order_by(Account.id):
            accounts.setdefault(r["person"], r["id"])
    return {number: accounts[person] for number, person in holders.items() if person in accounts}


async def _not_pairable(organisation_id: UUID, today: date, scope: str,
                        longest: dict[str, int]) -> list[NotPairableOut]:
    """People in post in a lived-experience role with no active account: they cannot be paired
    yet. For new starters, only those under 12 months in lived-experience roles."""
    staff = set(await Assignment.select(Assignment.person).where(in_post_rule(organisation_id, today))
                .output(as_list=True))
    deactivated: set[UUID] = set()
    if staff:
        active: set[UUID] = set()
        for r in await Account.select(Account.person, Account.is_active).where(Account.person.is_in(list(staff))):
            (active if r["is_active"] else deactivated).add(r["person"])
        staff -= active
        deactivated -= active
    if not staff:
        return []
    if scope == "new_starters":
        staff = {p for p in staff if longest.get(str(p), 0) < EXPERIENCED_DAYS}
    if not staff:
        return []
    rows = await Person.select(Person.id, Person.given_name, Person.family_name, Person.employee_number).where(
        Person.id.is_in(list(staff)))
    found = [NotPairableOut(person_id=r["id"], name=" ".join(n for n in (r["given_name"], r["family_name"]) if n)
                            or f"Employee {r['employee_number']}",
                            reason=DEACTIVATED if r["id"] in deactivated else NO_ACCOUNT) for r in rows]
    return sorted(found, key=lambda n: (n.name.lower(), str(n.person_id)))


async def load_pool(principal: Principal, today: date, scope: str = "new_starters", *,
                    with_not_pairable: bool = False) -> Pool:
    organisation_id = principal.organisation_id
    partners = await network_partners(organisation_id)
    organisations = [organisation_id, *sorted(partners, key=str)]
    pool = Pool()
    for org in await Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.is_in(organisations)):
        pool.organisation_names[str(org["id"])] = org["name"]
    own_longest = await _longest_open_spells(organisation_id, today)
    people_by_org = {org: await _organisation_people(org, today, own_longest if org == organisation_id else None)
                     for org in organisations}
    accounts = [p["account"] for people in people_by_org.values() for p in people]
    profiles = {r["account"]: r for r in await PairingProfile.select().where(
        PairingProfile.account.is_in(accounts)).output(load_json=True)} if accounts else {}
    managers = {r["account"]: r["manager"] for r in await LineManager.select(LineManager.account, LineManager.manager)
                .where(LineManager.account.is_in(accounts))} if accounts else {}
    pairs = await Pair.select().where(Pair.new_peer.is_in(accounts) | Pair.experienced_peer.is_in(accounts)) if accounts else []
    in_post = {p["account"] for people in people_by_org.values() for p in people if p["in_post"]}
    live = [p for p in pairs if _pair_is_live(p, in_post, today)]
    paired = {p["new_peer"] for p in live} | {p["experienced_peer"] for p in live}
    taken: dict[UUID, int] = {}
    for p in live:
        taken[p["experienced_peer"]] = taken.get(p["experienced_peer"], 0) + 1
    networks = await NetworkMembership.select(NetworkMembership.network, NetworkMembership.organisation).where(
        NetworkMembership.organisation.is_in(organisations))
    by_network: dict[UUID, list[str]] = {}
    for n in networks:
        by_network.setdefault(n["network"], []).append(str(n["organisation"]))
    networked = frozenset(frozenset((a, b)) for orgs in by_network.values() for a in orgs for b in orgs if a != b)
    pool.rules = Rules(previous_pairs=frozenset(frozenset((str(p["new_peer"]), str(p["experienced_peer"]))) for p in pairs),
                       networked=networked)
    for org, people in people_by_org.items():
        for p in people:
            if not p["in_post"]:
                continue
            account = p["account"]
            profile = profiles.get(account, {})
            capacity = int(profile.get("capacity", 1)) - taken.get(account, 0)
            key = str(account)
            pool.peers[key] = Peer(
                id=key, organisation=str(org), team=p["team"],
                interests=frozenset(t.lower() for t in profile.get("interests") or []),
                preferences=frozenset(t.lower() for t in profile.get("preferences") or []),
                exclusions=frozenset(str(x) for x in profile.get("exclusions") or []),
                network_opt_in=bool(profile.get("network_opt_in", False)),
                line_manager=str(managers[account]) if account in managers
                else str(p["imported_manager"]) if p["imported_manager"] else None,
                capacity=max(0, capacity),
            )
            pool.names[key] = p["name"]
            own = org == organisation_id
            if own and "psw" in p["roles"] and account not in paired and (scope == "unpaired" or not p["experienced"]):
                pool.new.append(key)
            if p["experienced"] and capacity > 0 and (own or pool.peers[key].network_opt_in):
                pool.experienced.append(key)
    new = set(pool.new)
    pool.experienced = [k for k in pool.experienced if k not in new]
    if with_not_pairable:
        pool.not_pairable = await _not_pairable(organisation_id, today, scope, own_longest)
    return pool


async def suggestions(principal: Principal, scope: str = "new_starters", today: date | None = None) -> SuggestionsOut:
    """The best overall set of pairs for unpaired new starters (or everyone unpaired), each
    with its score parts. Nothing is saved: a person confirms each pair they want."""
    principal.require("pairing:manage")
    if scope not in ("new_starters", "unpaired"):
        raise InvalidInput("scope: new_starters or unpaired.")
    pool = await load_pool(principal, today or date.today(), scope, with_not_pairable=True)
    found = suggest([pool.peers[k] for k in pool.new], [pool.peers[k] for k in pool.experienced], pool.rules)
    matched = {s.new_peer for s in found}
    return SuggestionsOut(
        suggestions=[SuggestionOut(
            new_peer_id=UUID(s.new_peer), new_peer=pool.names[s.new_peer], experienced_peer_id=UUID(s.experienced_peer),
            experienced_peer=pool.names[s.experienced_peer],
            experienced_organisation=pool.organisation_names[pool.peers[s.experienced_peer].organisation],
            score=s.score, parts=s.parts) for s in sorted(found, key=lambda s: (pool.names[s.new_peer].lower(), s.new_peer))],
        total_score=sum(s.score for s in found),
        unmatched=sorted(pool.names[k] for k in pool.new if k not in matched),
        not_pairable=pool.not_pairable,
    )


async def confirm_pair(principal: Principal, data: PairIn, today: date | None = None) -> PairOut:
    """A person confirms a pair; every rule is checked again at this moment."""
    principal.require("pairing:manage")
    today = today or date.today()
    pool = await load_pool(principal, today, "unpaired")
    new, experienced = str(data.new_peer_id), str(data.experienced_peer_id)
    if new not in pool.peers or pool.peers[new].organisation != str(principal.organisation_id):
        raise NotFound("new_peer_id: no such peer in your organisation.")
    if experienced not in pool.peers:
        raise NotFound("experienced_peer_id: no such peer in your organisation or network.")
    if new not in pool.new:
        raise Conflict("This person already has a pair.")
    if experienced not in pool.experienced and experienced not in pool.new:
        raise Conflict("This peer has no free place for a pair, or has under 12 months in lived-experience roles.")
    reason = why_not(pool.peers[new], pool.peers[experienced], pool.rules)
    if reason:
        raise Conflict(f"These two cannot be paired ({reason}).")
    parts = score_parts(pool.peers[new], pool.peers[experienced])
    async with transaction():
        pair = Pair(organisation=principal.organisation_id, new_peer=data.new_peer_id,
                    experienced_peer=data.experienced_peer_id, purpose=data.purpose,
                    start_date=data.start_date or today, score=sum(parts.values()), confirmed_by=principal.account_id)
        await pair.save()
        await audit.record(principal, "create", "pair", pair.id)
    return await get_pair(principal, pair.id, today)


_PAIR_COLUMNS = (Pair.id, Pair.new_peer, Pair.new_peer.display_name.as_alias("new_name"), Pair.experienced_peer,
                 Pair.experienced_peer.display_name.as_alias("experienced_name"), Pair.purpose, Pair.start_date,
                 Pair.end_date, Pair.score, Pair.new_peer.is_active.as_alias("new_active"),
                 Pair.experienced_peer.is_active.as_alias("experienced_active"))


async def _in_post(principal: Principal, today: date) -> set[UUID]:
    people = await _organisation_people(principal.organisation_id, today)
    for partner in await network_partners(principal.organisation_id):
        people += await _organisation_people(partner, today)
    return {p["account"] for p in people if p["in_post"]}


def _pair_out(row: dict[str, Any], in_post: set[UUID], today: date) -> PairOut:
    ended = row["end_date"] is not None and row["end_date"] <= today
    left = [side for side in ("new_peer", "experienced_peer") if row[side] not in in_post]
    status = "ended" if ended else ("partner_left" if left else "active")
    stays = None
    if status == "partner_left" and len(left) == 1:
        stays = row["experienced_name"] if left == ["new_peer"] else row["new_name"]
    return PairOut(id=row["id"], new_peer_id=row["new_peer"], new_peer=row["new_name"],
                   experienced_peer_id=row["experienced_peer"], experienced_peer=row["experienced_name"],
                   purpose=row["purpose"], start_date=row["start_date"], end_date=row["end_date"], score=row["score"],
                   status=status, needs_new_pair=stays)


async def list_pairs(principal: Principal, today: date | None = None) -> list[PairOut]:
    """The organisation's pairs; where one partner has left, the other shows as needing a new pair."""
    principal.require("pairing:manage")
    today = today or date.today()
    rows = await Pair.select(*_PAIR_COLUMNS).where(Pair.organisation == principal.organisation_id).order_by(
        Pair.start_date, ascending=False)
    in_post = await _in_post(principal, today)
    return [_pair_out(r, in_post, today) for r in rows]


async def get_pair(principal: Principal, pair_id: UUID, today: date | None = None) -> PairOut:
    principal.require("pairing:manage")
    today = today or date.today()
    row = await Pair.select(*_PAIR_COLUMNS).where((Pair.id == pair_id) & (Pair.organisation == principal.organisation_id)).first()
    if row is None:
        raise NotFound("No such pair.")
    return _pair_out(row, await _in_post(principal, today), today)


async def end_pair(principal: Principal, pair_id: UUID, today: date | None = None) -> PairOut:
    principal.require("pairing:manage")
    today = today or date.today()
    current = await get_pair(principal, pair_id, today)
    if current.end_date is not None and current.end_date <= today:
        return current
    async with transaction():
        await Pair.update({Pair.end_date: today}).where(Pair.id == pair_id)
        await audit.record(principal, "update", "pair", pair_id, fields=["end_date"])
    return await get_pair(principal, pair_id, today)


async def my_profile(principal: Principal) -> ProfileOut:
    row = await PairingProfile.select().where(PairingProfile.account == principal.account_id).output(load_json=True).first()
    if row is None:
        return ProfileOut(account_id=principal.account_id)
    return ProfileOut(interests=row["interests"], preferences=row["preferences"],
                      exclusions=[UUID(str(x)) for x in row["exclusions"]], network_opt_in=row["network_opt_in"],
                      capacity=row["capacity"], account_id=principal.account_id)


async def save_profile(principal: Principal, data: ProfileIn) -> ProfileOut:
    """The caller's own pairing profile (tags are compared case-insensitively)."""
    def tags(values: list[str]) -> list[str]:
        return sorted({v.strip().lower() for v in values if v.strip()})

    async with transaction():
        await PairingProfile.delete().where(PairingProfile.account == principal.account_id)
        await PairingProfile(organisation=principal.organisation_id, account=principal.account_id,
                             interests=tags(data.interests), preferences=tags(data.preferences),
                             exclusions=sorted({str(x) for x in data.exclusions if x != principal.account_id}),
                             network_opt_in=data.network_opt_in, capacity=data.capacity).save()
        await audit.record(principal, "update", "pairing_profile", None,
                           fields=["interests", "preferences", "exclusions", "network_opt_in", "capacity"])
    return await my_profile(principal)


async def suggested_buddy(principal: Principal, account_id: UUID, first_day: date) -> SuggestionOut | None:
    """The best experienced peer with a free place for this one new starter, for a person to
    confirm: peerwork never pairs people without someone deciding. It does not depend on who
    else is waiting for a buddy (the overall suggestions weigh everyone). None when nobody fits."""
    pool = await load_pool(principal, first_day, "new_starters")
    key = str(account_id)
    if key not in pool.new:
        return None
    starter = pool.peers[key]
    fitting = [(score(starter, pool.peers[k], pool.rules), k) for k in sorted(pool.experienced)
               if pool.peers[k].capacity > 0 and why_not(starter, pool.peers[k], pool.rules) is None]
    if not fitting:
        return None
    best, chosen = min(fitting, key=lambda found: (-found[0], found[1]))  # best score, then a stable id
    experienced = pool.peers[chosen]
    return SuggestionOut(
        new_peer_id=account_id, new_peer=pool.names[key], experienced_peer_id=UUID(chosen),
        experienced_peer=pool.names[chosen],
        experienced_organisation=pool.organisation_names[experienced.organisation],
        score=best, parts=score_parts(starter, experienced))