"""Supervision agreements, groups and the organisation's default frequencies."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from peerwork.core.db import transaction
from peerwork.core.errors import InvalidInput, NotFound
from peerwork.supervision.schemas import AgreementIn, AgreementOut, GroupIn, GroupOut, PolicyIn
from peerwork.supervision.tables import GroupMember, SupervisionAgreement, SupervisionGroup, SupervisionPolicy
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.tables import Membership

DEFAULT_EVERY_DAYS = {"one_to_one": 28, "group": 28}
DEFAULT_GRACE_DAYS = 7


async def roles_in_organisation(organisation_id: UUID, account_ids: list[UUID]) -> dict[UUID, set[str]]:
    rows = await Membership.select(Membership.account, Membership.role).where(
        (Membership.organisation == organisation_id) & Membership.account.is_in(account_ids)
    ) if account_ids else []
    found: dict[UUID, set[str]] = {}
    for row in rows:
        found.setdefault(row["account"], set()).add(row["role"])
    return found


async def require_members(principal: Principal, **accounts: UUID | None) -> dict[UUID, set[str]]:
    """Every named account must belong to the caller's organisation (else a clear 4xx)."""
    ids = [a for a in accounts.values() if a is not None]
    found = await roles_in_organisation(principal.organisation_id, ids)
    for field, account_id in accounts.items():
        if account_id is not None and account_id not in found:
            raise InvalidInput(f"{field}: no such account in your organisation.")
    return found


async def people_for_select(principal: Principal, role: str) -> list[dict[str, Any]]:
    """Active members of the caller's organisation in ``role`` by name (``account``,
    ``account.display_name``), for a form's list."""
    return await Membership.select(Membership.account, Membership.account.display_name).where(
        (Membership.organisation == principal.organisation_id) & (Membership.role == role)
        & (Membership.account.is_active == True)  # noqa: E712
    ).order_by(Membership.account.display_name)


async def policy_for(organisation_id: UUID, role: str, kind: str) -> tuple[int, int]:
    row = await SupervisionPolicy.select(SupervisionPolicy.every_days, SupervisionPolicy.grace_days).where(
        (SupervisionPolicy.organisation == organisation_id) & (SupervisionPolicy.role == role)
        & (SupervisionPolicy.kind == kind)
    ).first()
    return (row["every_days"], row["grace_days"]) if row else (DEFAULT_EVERY_DAYS[kind], DEFAULT_GRACE_DAYS)


async def set_policy(principal: Principal, data: PolicyIn) -> PolicyIn:
    principal.require("supervision:policy")
    async with transaction():
        await SupervisionPolicy.delete().where(
            (SupervisionPolicy.organisation == principal.organisation_id) & (SupervisionPolicy.role == data.role)
            & (SupervisionPolicy.kind == data.kind)
        )
        await SupervisionPolicy(organisation=principal.organisation_id, role=data.role, kind=data.kind,
                                every_days=data.every_days, grace_days=data.grace_days).save()
        await audit.record(principal, "update", "supervision_policy", None, role=data.role, kind=data.kind)
    return data


_AGREEMENT_COLUMNS = (
    SupervisionAgreement.id, SupervisionAgreement.kind, SupervisionAgreement.supervisor.as_alias("supervisor_id"),
    SupervisionAgreement.supervisor.display_name.as_alias("supervisor"),
    SupervisionAgreement.supervisee.as_alias("supervisee_id"),
    SupervisionAgreement.supervisee.display_name.as_alias("supervisee"),
    SupervisionAgreement.peer_group.as_alias("group_id"), SupervisionAgreement.every_days,
    SupervisionAgreement.grace_days, SupervisionAgreement.length_minutes, SupervisionAgreement.preferred_weekday,
    SupervisionAgreement.window_start, SupervisionAgreement.window_end, SupervisionAgreement.start_date,
    SupervisionAgreement.end_date, SupervisionAgreement.status,
)


def agreement_out(row: dict[str, Any]) -> AgreementOut:
    return AgreementOut(**row)


async def get_agreement(principal: Principal, agreement_id: UUID) -> AgreementOut:
    row = await SupervisionAgreement.select(*_AGREEMENT_COLUMNS).where(
        (SupervisionAgreement.id == agreement_id) & (SupervisionAgreement.organisation == principal.organisation_id)
    ).first()
    if row is None:
        raise NotFound("No such supervision agreement.")
    mine = principal.account_id in (row["supervisor_id"], row["supervisee_id"])
    if not mine:
        principal.require("supervision:manage")
    return agreement_out(row)


async def list_agreements(principal: Principal) -> list[AgreementOut]:
    condition = SupervisionAgreement.organisation == principal.organisation_id
    if not principal.can("supervision:manage"):
        condition &= (SupervisionAgreement.supervisor == principal.account_id) | (
            SupervisionAgreement.supervisee == principal.account_id)
    rows = await SupervisionAgreement.select(*_AGREEMENT_COLUMNS).where(condition).order_by(
        SupervisionAgreement.created_at)
    return [agreement_out(r) for r in rows]


async def create_agreement(principal: Principal, data: AgreementIn) -> AgreementOut:
    principal.require("supervision:manage")
    if data.kind == "one_to_one":
        if data.supervisee_id is None:
            raise InvalidInput("supervisee_id: a 1:1 agreement needs a supervisee.")
        if data.supervisee_id == data.supervisor_id:
            raise InvalidInput("supervisee_id: the supervisor and supervisee must be different people.")
        if data.group_id is not None:
            raise InvalidInput("group_id: only for group supervision.")
    else:
        if data.group_id is None:
            raise InvalidInput("group_id: group supervision needs a group.")
        if data.supervisee_id is not None:
            raise InvalidInput("supervisee_id: a group agreement has members, not one supervisee.")
        await get_group(principal, data.group_id)
    if data.window_end <= data.window_start:
        raise InvalidInput("window_end: must be after window_start.")
    window = (data.window_end.hour * 60 + data.window_end.minute) - (data.window_start.hour * 60 + data.window_start.minute)
    if window < data.length_minutes:
        raise InvalidInput("length_minutes: longer than the preferred time window.")
    if data.end_date is not None and data.end_date < data.start_date:
        raise InvalidInput("end_date: before start_date.")
    roles = await require_members(principal, supervisor_id=data.supervisor_id, supervisee_id=data.supervisee_id)
    supervisee_role = "psw" if data.supervisee_id is None else _main_role(roles[data.supervisee_id])
    every, grace = await policy_for(principal.organisation_id, supervisee_role, data.kind)
    async with transaction():
        row = SupervisionAgreement(
            organisation=principal.organisation_id, kind=data.kind, supervisor=data.supervisor_id,
            supervisee=data.supervisee_id, peer_group=data.group_id, every_days=data.every_days or every,
            grace_days=data.grace_days if data.grace_days is not None else grace,
            length_minutes=data.length_minutes, preferred_weekday=data.preferred_weekday,
            window_start=data.window_start, window_end=data.window_end, start_date=data.start_date,
            end_date=data.end_date,
        )
        await row.save()
        await audit.record(principal, "create", "supervision_agreement", row.id)
    return await get_agreement(principal, row.id)


def _main_role(roles: set[str]) -> str:
    for role in ("psw", "supervisor", "peer_lead", "hr", "admin"):
        if role in roles:
            return role
    return "psw"


async def end_agreement(principal: Principal, agreement_id: UUID) -> AgreementOut:
    principal.require("supervision:manage")
    await get_agreement(principal, agreement_id)
    await SupervisionAgreement.update({SupervisionAgreement.status: "ended"}).where(SupervisionAgreement.id == agreement_id)
    await audit.record(principal, "update", "supervision_agreement", agreement_id, fields=["status"])
    return await get_agreement(principal, agreement_id)


# --- Groups -----------------------------------------------------------------------------


async def create_group(principal: Principal, data: GroupIn) -> GroupOut:
    principal.require("supervision:manage")
    everyone = {**{f"facilitator {i}": a for i, a in enumerate(data.facilitator_ids)},
                **{f"member {i}": a for i, a in enumerate(data.member_ids)}}
    await require_members(principal, **{k.replace(" ", "_"): v for k, v in everyone.items()})
    if len(set(data.member_ids)) > data.capacity:
        raise InvalidInput(f"member_ids: more members than the group's capacity ({data.capacity}).")
    async with transaction():
        group = SupervisionGroup(organisation=principal.organisation_id, name=data.name.strip(), capacity=data.capacity)
        await group.save()
        for account_id in dict.fromkeys(data.facilitator_ids):
            await GroupMember(peer_group=group.id, account=account_id, role="facilitator").save()
        for account_id in dict.fromkeys(a for a in data.member_ids if a not in data.facilitator_ids):
            await GroupMember(peer_group=group.id, account=account_id, role="member").save()
        await audit.record(principal, "create", "supervision_group", group.id)
    return await get_group(principal, group.id)


async def get_group(principal: Principal, group_id: UUID) -> GroupOut:
    group = await SupervisionGroup.select().where(
        (SupervisionGroup.id == group_id) & (SupervisionGroup.organisation == principal.organisation_id)
    ).first()
    if group is None:
        raise NotFound("No such supervision group.")
    members = await GroupMember.select(GroupMember.role, GroupMember.account.display_name).where(
        GroupMember.peer_group == group_id
    ).order_by(GroupMember.account.display_name)
    return GroupOut(
        id=group["id"], name=group["name"], capacity=group["capacity"],
        facilitators=[m["account.display_name"] for m in members if m["role"] == "facilitator"],
        members=[m["account.display_name"] for m in members if m["role"] == "member"],
    )


async def group_members(group_id: UUID) -> list[UUID]:
    return await GroupMember.select(GroupMember.account).where(
        (GroupMember.peer_group == group_id) & (GroupMember.role == "member")
    ).output(as_list=True)
