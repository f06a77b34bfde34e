"""Who is going without supervision: the peer lead's compliance table.

Who is listed comes from the staff records: every person in post in a lived-experience role
today (an assignment in the organisation with ``lived_experience_role``, started, not ended),
whether or not they have an account, plus any active ``psw`` account not linked to a staff
record in the organisation. Supervision is recorded against accounts, so a person with no
account yet is listed with no agreement and marked ``has_account=False``. A person whose staff
record says they left is not listed, even if their account is still active.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from peerwork.supervision.compliance import Compliance, SessionRecord, assess
from peerwork.supervision.schemas import ComplianceFigures, ComplianceRow
from peerwork.supervision.tables import GroupAttendance, GroupMember, SupervisionAgreement, SupervisionSession
from peerwork.core.access import Principal
from peerwork.core.tables import Account, Membership
from peerwork.workforce.staff import in_post
from peerwork.workforce.tables import Assignment


def figures(c: Compliance) -> ComplianceFigures:
    return ComplianceFigures(**{f: getattr(c, f) for f in ComplianceFigures.__struct_fields__})


def _one_to_one(accounts: set[UUID], agreements: list[dict[str, Any]], sessions: dict[UUID, list[dict]],
                today: date) -> Compliance | None:
    mine = [a for a in agreements if a["kind"] == "one_to_one" and a["supervisee"] in accounts]
    if not mine:
        return None
    current = max(mine, key=lambda a: a["start_date"])
    rows = [r for a in mine for r in sessions.get(a["id"], [])]
    return assess([SessionRecord(r["start"], r["status"]) for r in rows], every_days=current["every_days"],
                  grace_days=current["grace_days"], agreement_start=min(a["start_date"] for a in mine), today=today)


def _group(accounts: set[UUID], agreements: list[dict[str, Any]], groups_of: dict[UUID, list[UUID]],
           sessions: dict[UUID, list[dict]], came: set[tuple[UUID, UUID]], today: date) -> Compliance | None:
    groups = {g for account in accounts for g in groups_of.get(account, [])}
    mine = [a for a in agreements if a["kind"] == "group" and a["peer_group"] in groups]
    if not mine:
        return None
    current = max(mine, key=lambda a: a["start_date"])
    rows = [r for a in mine for r in sessions.get(a["id"], [])]
    # For one member, a group session counts as held only if they were there.
    records = [SessionRecord(r["start"], r["status"] if r["status"] != "held"
                             or any((r["id"], account) in came for account in accounts) else "did_not_attend")
               for r in rows]
    return assess(records, every_days=current["every_days"], grace_days=current["grace_days"],
                  agreement_start=min(a["start_date"] for a in mine), today=today)


async def people_in_post(organisation_id: UUID, today: date) -> list[dict[str, Any]]:
    """Who the table lists (see the module docstring), each with ``person``, ``accounts`` (every
    account linked to them, possibly none) and ``name``. Three queries, however many people."""
    staff: dict[UUID, dict[str, Any]] = {}
    for a in await Assignment.select(Assignment.person, Assignment.person.given_name, Assignment.person.family_name,
                                     Assignment.person.employee_number).where(in_post(organisation_id, today)):
        full = " ".join(n for n in (a["person.given_name"], a["person.family_name"]) if n)
        staff.setdefault(a["person"], {"person": a["person"], "accounts": [], "names": [],
                                       "fallback": full or f"Employee {a['person.employee_number']}"})
    if staff:
        for acc in await Account.select(Account.id, Account.display_name, Account.person).where(
                Account.person.is_in(list(staff))).order_by(Account.id):
            staff[acc["person"]]["accounts"].append(acc["id"])
            if acc["display_name"]:
                staff[acc["person"]]["names"].append(acc["display_name"])
    people = [{"person": p["person"], "accounts": p["accounts"], "name": min(p["names"], default=p["fallback"])}
              for p in staff.values()]
    for m in await Membership.select(Membership.account, Membership.account.display_name,
                                     Membership.account.person.organisation.as_alias("person_organisation")).where(
        (Membership.organisation == organisation_id) & (Membership.role == "psw")
        & (Membership.account.is_active == True)  # noqa: E712
    ):
        if m["person_organisation"] != organisation_id:  # no staff record here: counted by the account
            people.append({"person": None, "accounts": [m["account"]], "name": m["account.display_name"]})
    return people


async def compliance_table(principal: Principal, today: date | None = None) -> list[ComplianceRow]:
    """Every lived-experience worker in post, most overdue first (dates and status only, no
    notes); people with no account yet are listed too, marked."""
    principal.require("supervision:manage")
    return await organisation_compliance_rows(principal.organisation_id, today or date.today())


async def organisation_compliance_rows(organisation_id: UUID, today: date) -> list[ComplianceRow]:
    """:func:`compliance_table` for an organisation by id, checking no rights (for reports built
    over several organisations, such as a network's, whose callers check theirs)."""
    people = await people_in_post(organisation_id, today)
    agreements = await SupervisionAgreement.select().where(
        (SupervisionAgreement.organisation == organisation_id) & (SupervisionAgreement.status == "active"))
    groups_of: dict[UUID, list[UUID]] = {}
    for m in await GroupMember.select(GroupMember.account, GroupMember.peer_group).where(
        (GroupMember.role == "member") & (GroupMember.peer_group.organisation == organisation_id)
    ):
        groups_of.setdefault(m["account"], []).append(m["peer_group"])
    # Three queries for the whole organisation, however many people: grouped here in Python.
    sessions: dict[UUID, list[dict]] = {}
    for r in await SupervisionSession.select(
        SupervisionSession.id, SupervisionSession.agreement, SupervisionSession.start, SupervisionSession.status
    ).where((SupervisionSession.organisation == organisation_id) & (SupervisionSession.status != "proposed")):
        sessions.setdefault(r["agreement"], []).append(r)
    came = {(r["session"], r["account"]) for r in await GroupAttendance.select(
        GroupAttendance.session, GroupAttendance.account
    ).where((GroupAttendance.attended == True) & (GroupAttendance.session.organisation == organisation_id))}  # noqa: E712
    rows = []
    for p in people:
        accounts = set(p["accounts"])
        one = _one_to_one(accounts, agreements, sessions, today)
        group = _group(accounts, agreements, groups_of, sessions, came, today)
        rows.append(ComplianceRow(account_id=p["accounts"][0] if p["accounts"] else None, name=p["name"],
                                  one_to_one=figures(one) if one else None, group=figures(group) if group else None,
                                  person_id=p["person"], has_account=bool(p["accounts"])))

    def urgency(row: ComplianceRow) -> tuple:
        # No 1:1 agreement at all is the most urgent gap (with an account, so one can be made,
        # before without); then days overdue, 1:1 before group.
        one = row.one_to_one
        return (one is not None, not row.has_account, -(one.days_overdue if one else 0),
                -(row.group.days_overdue if row.group else 0), row.name.lower())

    return sorted(rows, key=urgency)
