"""Supervision on the home page (your next sessions; who is overdue) and on a person's page."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.time import now, when
from peerwork.core.todo import PersonFact, PersonSection, TodoItem, person_accounts
from peerwork.supervision.compliance_service import compliance_table
from peerwork.supervision.sessions import sessions_for
from peerwork.supervision.tables import SupervisionAgreement, SupervisionSession

SECTION = "Supervision"
NEXT_SESSIONS_SHOWN = 3
NEXT_SESSIONS_DAYS = 28


async def _next_sessions(principal: Principal) -> list[TodoItem]:
    start = now()
    horizon = start + timedelta(days=NEXT_SESSIONS_DAYS)
    upcoming = [s for s in await sessions_for(principal, mine=True, since=start)
                if s.status == "scheduled" and s.start < horizon][:NEXT_SESSIONS_SHOWN]
    items = []
    for s in upcoming:
        if s.kind == "group":
            who = "group supervision"
        elif s.supervisee and s.supervisor != principal.display_name:
            who = f"supervision with {s.supervisor}"
        else:
            who = f"supervision with {s.supervisee or s.supervisor}"
        items.append(TodoItem(
            kind="supervision.next_session", section=SECTION, title=f"Your {who}: {when(s.start, s.end)}",
            href="/my-calendar", priority="soon" if s.start - start < timedelta(days=2) else "info",
            due=s.start.date()))
    return items


async def _organisation_gaps(principal: Principal) -> list[TodoItem]:
    rows = await compliance_table(principal)
    overdue = [r for r in rows if (r.one_to_one and r.one_to_one.overdue) or (r.group and r.group.overdue)]
    without = [r for r in rows if r.has_account and r.one_to_one is None]
    items = []
    if overdue:
        items.append(TodoItem(
            kind="supervision.overdue", section=SECTION, priority="urgent", count=len(overdue),
            title=f"{len(overdue)} {'person is' if len(overdue) == 1 else 'people are'} overdue for supervision",
            detail="Most overdue first on the compliance page.", href="/supervision/compliance"))
    if without:
        items.append(TodoItem(
            kind="supervision.no_agreement", section=SECTION, priority="soon", count=len(without),
            title=f"{len(without)} {'person has' if len(without) == 1 else 'people have'} no 1:1 supervision agreement",
            detail="Set one up so their sessions can be proposed.", href="/supervision/agreements/new"))
    return items


async def todo(principal: Principal) -> list[TodoItem]:
    items = await _next_sessions(principal)
    if principal.can("supervision:manage"):
        items += await _organisation_gaps(principal)
    return items


async def _may_see(principal: Principal, accounts: list[UUID]) -> bool:
    """Peer leads see everyone's supervision dates; a person sees their own; a supervisor
    sees the people they supervise now."""
    if principal.can("supervision:manage") or principal.account_id in accounts:
        return True
    return bool(accounts) and await SupervisionAgreement.exists().where(
        (SupervisionAgreement.organisation == principal.organisation_id)
        & (SupervisionAgreement.supervisor == principal.account_id)
        & SupervisionAgreement.supervisee.is_in(accounts) & (SupervisionAgreement.status == "active"))


async def person(principal: Principal, person_id: UUID) -> PersonSection | None:
    """Active agreements with the last held and next scheduled session (dates only, never
    notes); absent for a viewer who may not see them. Reading it is audited."""
    accounts = await person_accounts(principal.organisation_id, person_id)
    if not await _may_see(principal, accounts):
        return None
    facts: list[PersonFact] = []
    if accounts:
        agreements = await SupervisionAgreement.select(
            SupervisionAgreement.id, SupervisionAgreement.kind, SupervisionAgreement.every_days,
            SupervisionAgreement.supervisor.display_name.as_alias("supervisor"),
        ).where((SupervisionAgreement.organisation == principal.organisation_id)
                & SupervisionAgreement.supervisee.is_in(accounts) & (SupervisionAgreement.status == "active"))
        today = date.today()
        for a in agreements:
            sessions = await SupervisionSession.select(SupervisionSession.start, SupervisionSession.status).where(
                SupervisionSession.agreement == a["id"]).order_by(SupervisionSession.start)
            held = [s["start"].date() for s in sessions if s["status"] == "held"]
            coming = [s["start"].date() for s in sessions if s["status"] == "scheduled" and s["start"].date() >= today]
            facts.append(PersonFact(label=f"1:1 supervision with {a['supervisor']}", value=f"every {a['every_days']} days",
                                    href=f"/supervision/agreements/{a['id']}"
                                    if principal.can("supervision:manage") else None))
            facts.append(PersonFact(label="Last held", value=held[-1].isoformat() if held else "not yet"))
            facts.append(PersonFact(label="Next scheduled", value=coming[0].isoformat() if coming else "none booked"))
    await audit.record(principal, "read", "supervision_session", person_id, fields=["start", "status"])
    return PersonSection(kind="supervision", title=SECTION, facts=facts,
                         empty="No supervision agreement yet." if accounts else
                         "No account yet, so no supervision can be recorded.")


TODO = todo
PERSON = person
