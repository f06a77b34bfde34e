"""Supervision sessions: proposals a peer lead accepts, moves, cancellations, outcomes, cover."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID

from peerwork.core.time import london
from peerwork.core.db import transaction
from peerwork.core.errors import InvalidInput, NotFound, PermissionDenied
from peerwork.supervision import notify
from peerwork.supervision.agreements import get_agreement, group_members, require_members
from peerwork.supervision.busy import busy_for, group_key
from peerwork.supervision.scheduling import Request, propose
from peerwork.supervision.schemas import SessionOut
from peerwork.supervision.tables import (
    CoverArrangement,
    GroupAttendance,
    SupervisionAgreement,
    SupervisionSession,
)
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.time import now



_SESSION_COLUMNS = (
    SupervisionSession.id, SupervisionSession.agreement.as_alias("agreement_id"),
    SupervisionSession.agreement.kind.as_alias("kind"),
    SupervisionSession.supervisor.display_name.as_alias("supervisor"),
    SupervisionSession.supervisee.display_name.as_alias("supervisee"), SupervisionSession.start,
    SupervisionSession.end, SupervisionSession.status, SupervisionSession.clash, SupervisionSession.cancelled_by,
    SupervisionSession.sequence,
)


def session_out(row: dict[str, Any]) -> SessionOut:
    return SessionOut(**row)


async def _session(principal: Principal, session_id: UUID) -> dict[str, Any]:
    row = await SupervisionSession.select(
        SupervisionSession.all_columns(), SupervisionSession.agreement.peer_group.as_alias("group"),
    ).where(
        (SupervisionSession.id == session_id) & (SupervisionSession.organisation == principal.organisation_id)
    ).first()
    if row is None:
        raise NotFound("No such supervision session.")
    return row


async def _is_party(principal: Principal, row: dict[str, Any]) -> bool:
    if principal.account_id in (row["supervisor"], row["supervisee"]):
        return True
    return bool(row["group"]) and principal.account_id in await group_members(row["group"])


async def sessions_for(principal: Principal, *, agreement_id: UUID | None = None, mine: bool = False,
                       since: datetime | None = None) -> list[SessionOut]:
    """Sessions the caller may see: their own, or (peer leads) their organisation's."""
    condition = SupervisionSession.organisation == principal.organisation_id
    if agreement_id is not None:
        await get_agreement(principal, agreement_id)
        condition &= SupervisionSession.agreement == agreement_id
    if mine or not principal.can("supervision:manage"):
        own = (SupervisionSession.supervisor == principal.account_id) | (SupervisionSession.supervisee == principal.account_id)
        groups = await _my_groups(principal)
        if groups:
            own |= SupervisionSession.agreement.peer_group.is_in(groups)
        condition &= own
    if since is not None:
        condition &= SupervisionSession.end >= since
    rows = await SupervisionSession.select(*_SESSION_COLUMNS).where(condition).order_by(SupervisionSession.start)
    return [session_out(r) for r in rows]


async def _my_groups(principal: Principal) -> list[UUID]:
    from peerwork.supervision.tables import GroupMember

    return await GroupMember.select(GroupMember.peer_group).where(GroupMember.account == principal.account_id).output(
        as_list=True)


async def propose_sessions(principal: Principal, agreement_id: UUID, months: int = 6) -> list[SessionOut]:
    """Replace this agreement's open proposals with new ones for the coming months. Clashes
    that cannot be avoided are proposed with their reason, never silently dropped."""
    principal.require("supervision:manage")
    agreement = await get_agreement(principal, agreement_id)
    if agreement.status != "active":
        raise InvalidInput("This agreement has ended.")
    today = date.today()
    first = max(agreement.start_date, today + timedelta(days=1))
    until = first + timedelta(days=months * 31)
    if agreement.end_date:
        until = min(until, agreement.end_date)
    last_held = await SupervisionSession.select(SupervisionSession.start).where(
        (SupervisionSession.agreement == agreement_id) & SupervisionSession.status.is_in(["scheduled", "held"])
    ).order_by(SupervisionSession.start, ascending=False).first()
    if last_held is not None:
        first = max(first, last_held["start"].date() + timedelta(days=agreement.every_days))
    people = [agreement.supervisor_id] + ([agreement.supervisee_id] if agreement.supervisee_id else [])
    members = await group_members(agreement.group_id) if agreement.group_id else []
    window = (london(datetime.combine(first, time())) - timedelta(days=8), london(datetime.combine(until, time())) + timedelta(days=9))
    async with transaction():
        await SupervisionSession.delete().where(
            (SupervisionSession.agreement == agreement_id) & (SupervisionSession.status == "proposed"))
        busy = await busy_for(people + members, *window)
        supervisee_key = str(agreement.supervisee_id) if agreement.supervisee_id else group_key(agreement.group_id)
        if agreement.group_id:
            busy[supervisee_key] = [b for m in members for b in busy.get(str(m), [])]
        proposals = propose([Request(
            key=str(agreement_id), supervisor=str(agreement.supervisor_id), supervisee=supervisee_key,
            first_date=first, until=until, every_days=agreement.every_days, length_minutes=agreement.length_minutes,
            preferred_weekday=agreement.preferred_weekday, window_start=agreement.window_start,
            window_end=agreement.window_end,
        )], busy)
        rows = [SupervisionSession(
            organisation=principal.organisation_id, agreement=agreement_id, supervisor=agreement.supervisor_id,
            supervisee=agreement.supervisee_id, start=p.start, end=p.end, status="proposed", clash=p.clash,
        ) for p in proposals]
        if rows:
            await SupervisionSession.insert(*rows)
        await audit.record(principal, "propose", "supervision_session", agreement_id, count=len(rows))
    return [s for s in await sessions_for(principal, agreement_id=agreement_id) if s.status == "proposed"]


async def accept(principal: Principal, agreement_id: UUID, session_ids: list[UUID]) -> list[SessionOut]:
    """Proposed sessions become scheduled; both people get invites."""
    principal.require("supervision:manage")
    await get_agreement(principal, agreement_id)
    condition = (SupervisionSession.agreement == agreement_id) & (SupervisionSession.status == "proposed")
    if session_ids:
        condition &= SupervisionSession.id.is_in(session_ids)
    async with transaction():
        ids = await SupervisionSession.select(SupervisionSession.id).where(condition).output(as_list=True)
        if session_ids and len(ids) != len(set(session_ids)):
            raise InvalidInput("session_ids: some are not open proposals of this agreement.")
        if ids:
            await SupervisionSession.update({SupervisionSession.status: "scheduled", SupervisionSession.updated_at: now()}
                                            ).where(SupervisionSession.id.is_in(ids))
        for session_id in ids:
            await notify.tell(session_id, "REQUEST", "Supervision booked", "A supervision session is booked for you.")
        await audit.record(principal, "accept", "supervision_session", agreement_id, count=len(ids))
    return [s for s in await sessions_for(principal, agreement_id=agreement_id) if s.id in set(ids)]


async def _may_change(principal: Principal, row: dict[str, Any]) -> None:
    if principal.can("supervision:manage") or principal.account_id == row["supervisor"]:
        return
    raise PermissionDenied("Only the supervisor or a peer lead can change this session.")


async def move(principal: Principal, session_id: UUID, start: datetime, end: datetime, reason: str = "") -> SessionOut:
    row = await _session(principal, session_id)
    await _may_change(principal, row)
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("start and end need a time zone offset.")
    if end <= start:
        raise InvalidInput("end: must be after start.")
    if row["status"] not in ("proposed", "scheduled"):
        raise InvalidInput(f"A {row['status'].replace('_', ' ')} session cannot be moved.")
    async with transaction():
        await SupervisionSession.update({
            SupervisionSession.start: start.astimezone(timezone.utc), SupervisionSession.end: end.astimezone(timezone.utc),
            SupervisionSession.sequence: SupervisionSession.sequence + 1, SupervisionSession.updated_at: now(),
            SupervisionSession.reason: reason or None, SupervisionSession.clash: None,
        }).where(SupervisionSession.id == session_id)
        if row["status"] == "scheduled":
            await notify.tell(session_id, "REQUEST", "Supervision moved", "Your supervision session has moved.")
        await audit.record(principal, "move", "supervision_session", session_id)
    return await get_session(principal, session_id)


async def cancel(principal: Principal, session_id: UUID, by: str, reason: str = "") -> SessionOut:
    row = await _session(principal, session_id)
    if not (principal.can("supervision:manage") or await _is_party(principal, row)):
        raise PermissionDenied("Only the people in this session or a peer lead can cancel it.")
    if row["status"] not in ("proposed", "scheduled"):
        raise InvalidInput(f"A {row['status'].replace('_', ' ')} session cannot be cancelled.")
    async with transaction():
        await SupervisionSession.update({
            SupervisionSession.status: "cancelled", SupervisionSession.cancelled_by: by,
            SupervisionSession.reason: reason or None, SupervisionSession.sequence: SupervisionSession.sequence + 1,
            SupervisionSession.updated_at: now(),
        }).where(SupervisionSession.id == session_id)
        if row["status"] == "scheduled":
            await notify.tell(session_id, "CANCEL", "Supervision cancelled", "This supervision session is cancelled.")
        await audit.record(principal, "cancel", "supervision_session", session_id, by=by)
    return await get_session(principal, session_id)


async def record_outcome(principal: Principal, session_id: UUID, status: str, attended: list[UUID]) -> SessionOut:
    """Held or did-not-attend, once the session has started; group sessions record who came."""
    row = await _session(principal, session_id)
    await _may_change(principal, row)
    if row["status"] not in ("scheduled", "held", "did_not_attend"):
        raise InvalidInput("Only a scheduled session can be marked held or did not attend.")
    if row["start"] > now():
        raise InvalidInput("A session can be marked once it has started.")
    async with transaction():
        await SupervisionSession.update({SupervisionSession.status: status, SupervisionSession.updated_at: now()}).where(
            SupervisionSession.id == session_id)
        if row["group"]:
            members = set(await group_members(row["group"]))
            if stray := [str(a) for a in attended if a not in members]:
                raise InvalidInput(f"attended_ids: not members of the group: {', '.join(stray)}")
            await GroupAttendance.delete().where(GroupAttendance.session == session_id)
            for account_id in members:
                await GroupAttendance(session=session_id, account=account_id,
                                      attended=status == "held" and account_id in attended).save()
        await audit.record(principal, "update", "supervision_session", session_id, fields=["status"])
    return await get_session(principal, session_id)


async def get_session(principal: Principal, session_id: UUID) -> SessionOut:
    row = await _session(principal, session_id)
    if not (principal.can("supervision:manage") or await _is_party(principal, row)):
        raise NotFound("No such supervision session.")
    full = await SupervisionSession.select(*_SESSION_COLUMNS).where(SupervisionSession.id == session_id).first()
    return session_out(full)


async def arrange_cover(principal: Principal, away: UUID, cover: UUID, start: date, end: date) -> tuple[UUID, int]:
    """While a supervisor is away, their 1:1 sessions in the period move to the cover supervisor
    (same times). The supervisee and the cover get updated invites; the one away a CANCEL."""
    principal.require("supervision:manage")
    if away == cover:
        raise InvalidInput("cover_id: must be someone other than the person away.")
    if end < start:
        raise InvalidInput("end_date: before start_date.")
    await require_members(principal, away_id=away, cover_id=cover)
    period = (london(datetime.combine(start, time())), london(datetime.combine(end + timedelta(days=1), time())))
    async with transaction():
        arrangement = CoverArrangement(organisation=principal.organisation_id, away=away, cover=cover,
                                       start_date=start, end_date=end)
        await arrangement.save()
        ids = await SupervisionSession.select(SupervisionSession.id).where(
            (SupervisionSession.organisation == principal.organisation_id) & (SupervisionSession.supervisor == away)
            & SupervisionSession.status.is_in(["proposed", "scheduled"]) & SupervisionSession.supervisee.is_not_null()
            & (SupervisionSession.start >= period[0]) & (SupervisionSession.start < period[1])
        ).output(as_list=True)
        for session_id in ids:
            status = (await SupervisionSession.select(SupervisionSession.status).where(
                SupervisionSession.id == session_id).first())["status"]
            if status == "scheduled":
                await notify.tell(session_id, "CANCEL", "Supervision covered", "Someone else is covering this session.",
                                  only=[away])
            await SupervisionSession.update({
                SupervisionSession.supervisor: cover, SupervisionSession.sequence: SupervisionSession.sequence + 1,
                SupervisionSession.updated_at: now(),
            }).where(SupervisionSession.id == session_id)
            if status == "scheduled":
                await notify.tell(session_id, "REQUEST", "Supervision cover",
                                  "Your supervisor is away; this session is with a cover supervisor.")
        await audit.record(principal, "create", "cover_arrangement", arrangement.id, sessions=len(ids))
    return arrangement.id, len(ids)


__all__ = ["SupervisionAgreement"]
