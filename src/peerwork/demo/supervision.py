"""Demo supervision: a 1:1 agreement for every peer support worker with an account, a year of
sessions (held, did not attend, cancelled), the next ones booked, some people overdue, and a
monthly peer supervision group.

Agreements and the group are made by the supervision service. Past sessions cannot be: the
service proposes from tomorrow on, and accepting a proposal emails invites. So the sessions
are inserted in one statement, in the states the service leaves them after propose -> accept
-> record outcome (or cancel), without sending a year of invites to made-up addresses.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from peerwork.core.access import Principal, system_principal
from peerwork.core.time import LONDON
from peerwork.demo.people import DemoOrganisation, Staff
from peerwork.supervision.agreements import create_agreement, create_group
from peerwork.supervision.schemas import AgreementIn, GroupIn
from peerwork.supervision.tables import GroupAttendance, SupervisionAgreement, SupervisionSession

EVERY_DAYS = 28
HISTORY_DAYS = 365


def _at(day: date, hour: int, *, later: bool) -> datetime:
    """A London wall-clock time on a weekday (the Friday before a weekend for a past session,
    the Monday after for a booked one, so neither crosses today), as an aware datetime."""
    while day.weekday() >= 5:
        day += timedelta(days=1 if later else -1)
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def session_plan(rng: random.Random, first: date, today: date, overdue: bool) -> list[tuple[date, str]]:
    """(day, status) for one 1:1 agreement, every four weeks from ``first``: mostly held, some
    missed (did not attend) or cancelled; for someone ``overdue`` nothing held for the last
    three months and nothing booked; otherwise the next two sessions scheduled."""
    plan = []
    day = first
    stop_holding = today - timedelta(days=rng.randint(80, 130)) if overdue else today
    while day < today:
        if day > stop_holding:
            status = rng.choice(["cancelled", "did_not_attend"])
        else:
            status = rng.choices(["held", "did_not_attend", "cancelled"], weights=[82, 10, 8])[0]
        plan.append((day, status))
        day += timedelta(days=EVERY_DAYS)
    if not overdue:
        while day <= today:
            day += timedelta(days=EVERY_DAYS)
        plan += [(day, "scheduled"), (day + timedelta(days=EVERY_DAYS), "scheduled")]
    return plan


async def load_supervision(org: DemoOrganisation, today: date) -> None:
    view = org.view
    if await SupervisionAgreement.exists().where(SupervisionAgreement.organisation == view.id):
        return
    principal = system_principal(view.id, view.slug, view.name)
    rng = random.Random(f"{org.slug}:supervision")
    supervisors = org.with_accounts("supervisor") + org.with_accounts("peer_lead")
    leads = org.with_accounts("peer_lead")
    if not supervisors:
        return
    supervisees = org.with_accounts("psw")
    sessions: list[SupervisionSession] = []
    for n, person in enumerate(supervisees):
        # A quarter are supervised by a peer lead (specialist peer leadership); the rest by a
        # supervisor (the demo supervisor, first in the list, has the most).
        supervisor = leads[n % len(leads)] if leads and n % 4 == 3 else supervisors[n % len(supervisors)]
        start = max(person.started, today - timedelta(days=HISTORY_DAYS))
        agreement = await create_agreement(principal, AgreementIn(
            supervisor_id=supervisor.account_id, supervisee_id=person.account_id, start_date=start,
            every_days=EVERY_DAYS, preferred_weekday=n % 5,
        ))
        overdue = person.started < today - timedelta(days=150) and rng.random() < 0.2
        for day, status in session_plan(rng, start + timedelta(days=rng.randint(3, 20)), today, overdue):
            sessions.append(_session(org, agreement.id, supervisor, person, _at(day, 10 + n % 6, later=status == "scheduled"), status))
    group_sessions, members = await _group(org, principal, today, supervisees)
    sessions += group_sessions
    if sessions:
        await SupervisionSession.insert(*sessions)
    marks = [GroupAttendance(session=s.id, account=m.account_id, attended=rng.random() < 0.8)
             for s in group_sessions if s.status == "held" for m in members]
    if marks:
        await GroupAttendance.insert(*marks)


def _session(org: DemoOrganisation, agreement_id, supervisor: Staff, supervisee: Staff | None, start: datetime,
             status: str) -> SupervisionSession:
    return SupervisionSession(
        organisation=org.view.id, agreement=agreement_id, supervisor=supervisor.account_id,
        supervisee=supervisee.account_id if supervisee else None, start=start, end=start + timedelta(hours=1),
        status=status, cancelled_by="supervisee" if status == "cancelled" else None,
        reason="Unwell" if status == "cancelled" else None, sequence=1 if status == "cancelled" else 0,
    )


async def _group(org: DemoOrganisation, principal: Principal, today: date,
                 supervisees: list[Staff]) -> tuple[list[SupervisionSession], list[Staff]]:
    """A monthly peer supervision group led by a peer lead: six months held, the next booked."""
    facilitator = (org.with_accounts("peer_lead") or org.with_accounts("supervisor") or [None])[0]
    members = [p for p in supervisees if p.started < today - timedelta(days=200)][:8]
    if facilitator is None or len(members) < 3:
        return [], []
    group = await create_group(principal, GroupIn(
        name="Peer reflective supervision group", facilitator_ids=[facilitator.account_id],
        member_ids=[m.account_id for m in members], capacity=10))
    agreement = await create_agreement(principal, AgreementIn(
        supervisor_id=facilitator.account_id, kind="group", group_id=group.id,
        start_date=today - timedelta(days=200), every_days=EVERY_DAYS, length_minutes=90))
    rows = []
    for months_ago in range(6, -2, -1):
        day = today - timedelta(days=months_ago * EVERY_DAYS + 5)
        status = "held" if day < today else "scheduled"
        rows.append(_session(org, agreement.id, facilitator, None, _at(day, 14, later=status == "scheduled"), status))
    return rows, members
