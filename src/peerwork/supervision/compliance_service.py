"""Who is going without supervision: the peer lead's compliance table."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from peerwork.supervision.compliance import Compliance, SessionRecord, assess
from peerwork.supervision.schemas import ComplianceFigures, ComplianceRow
from peerwork.supervision.tables import GroupAttendance, GroupMember, SupervisionAgreement, SupervisionSession
from peerwork.core.access import Principal
from peerwork.core.tables import Membership


def figures(c: Compliance) -> ComplianceFigures:
    return ComplianceFigures(**{f: getattr(c, f) for f in ComplianceFigures.__struct_fields__})


def _one_to_one(account_id: UUID, agreements: list[dict[str, Any]], sessions: dict[UUID, list[dict]],
                today: date) -> Compliance | None:
    mine = [a for a in agreements if a["kind"] == "one_to_one" and a["supervisee"] == account_id]
    if not mine:
        return None
    current = max(mine, key=lambda a: a["start_date"])
    rows = [r for a in mine for r in sessions.get(a["id"], [])]
    return assess([SessionRecord(r["start"], r["status"]) for r in rows], every_days=current["every_days"],
                  grace_days=current["grace_days"], agreement_start=min(a["start_date"] for a in mine), today=today)


def _group(account_id: UUID, agreements: list[dict[str, Any]], groups_of: dict[UUID, list[UUID]],
           sessions: dict[UUID, list[dict]], came: set[tuple[UUID, UUID]], today: date) -> Compliance | None:
    mine = [a for a in agreements if a["kind"] == "group" and a["peer_group"] in groups_of.get(account_id, [])]
    if not mine:
        return None
    current = max(mine, key=lambda a: a["start_date"])
    rows = [r for a in mine for r in sessions.get(a["id"], [])]
    # For one member, a group session counts as held only if they were there.
    records = [SessionRecord(r["start"], r["status"] if r["status"] != "held" or (r["id"], account_id) in came
                             else "did_not_attend") for r in rows]
    return assess(records, every_days=current["every_days"], grace_days=current["grace_days"],
                  agreement_start=min(a["start_date"] for a in mine), today=today)


async def compliance_table(principal: Principal, today: date | None = None) -> list[ComplianceRow]:
    """Every PSW in the organisation, most overdue first (dates and status only, no notes)."""
    principal.require("supervision:manage")
    today = today or date.today()
    psws = await Membership.select(Membership.account, Membership.account.display_name).where(
        (Membership.organisation == principal.organisation_id) & (Membership.role == "psw")
        & (Membership.account.is_active == True)  # noqa: E712
    )
    agreements = await SupervisionAgreement.select().where(
        (SupervisionAgreement.organisation == principal.organisation_id) & (SupervisionAgreement.status == "active"))
    groups_of: dict[UUID, list[UUID]] = {}
    for m in await GroupMember.select(GroupMember.account, GroupMember.peer_group).where(
        (GroupMember.role == "member") & (GroupMember.peer_group.organisation == principal.organisation_id)
    ):
        groups_of.setdefault(m["account"], []).append(m["peer_group"])
    # Three queries for the whole organisation, however many people: grouped here in Python.
    sessions: dict[UUID, list[dict]] = {}
    for r in await SupervisionSession.select(
        SupervisionSession.id, SupervisionSession.agreement, SupervisionSession.start, SupervisionSession.status
    ).where((SupervisionSession.organisation == principal.organisation_id) & (SupervisionSession.status != "proposed")):
        sessions.setdefault(r["agreement"], []).append(r)
    came = {(r["session"], r["account"]) for r in await GroupAttendance.select(
        GroupAttendance.session, GroupAttendance.account
    ).where((GroupAttendance.attended == True) & (GroupAttendance.session.organisation == principal.organisation_id))}  # noqa: E712
    rows = []
    for psw in psws:
        one = _one_to_one(psw["account"], agreements, sessions, today)
        group = _group(psw["account"], agreements, groups_of, sessions, came, today)
        rows.append(ComplianceRow(account_id=psw["account"], name=psw["account.display_name"],
                                  one_to_one=figures(one) if one else None, group=figures(group) if group else None))

    def urgency(row: ComplianceRow) -> tuple:
        # No 1:1 agreement at all is the most urgent gap; then days overdue, 1:1 before group.
        one = row.one_to_one
        return (one is not None, -(one.days_overdue if one else 0),
                -(row.group.days_overdue if row.group else 0), row.name.lower())

    return sorted(rows, key=urgency)
