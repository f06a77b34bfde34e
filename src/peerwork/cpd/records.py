"""CPD: the organisation's course catalogue and each person's record of learning.

Everyone keeps their own record; an admin keeps the catalogue; a person's supervisor (or an
admin) verifies. Reflections are the owner's alone: other readers see dates and hours.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from peerwork.supervision.tables import SupervisionAgreement
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.cpd.schemas import (
    AcknowledgeIn,
    CourseIn,
    CourseOut,
    CoursePatch,
    LineManagerIn,
    PolicyIn,
    RecordIn,
    RecordOut,
)
from peerwork.cpd.tables import Course, CpdRecord, DevelopmentPolicy, LineManager, RoleAcknowledgement
from peerwork.core.tables import Membership
from peerwork.core.time import now


def check_hours(hours) -> None:
    if hours is not None and not (hours.is_finite() and 0 <= hours <= 1000):
        raise InvalidInput("hours: between 0 and 1000.")


def _roles(text: str) -> list[str]:
    return [r for r in text.split(",") if r]


def course_out(row: dict[str, Any]) -> CourseOut:
    return CourseOut(id=row["id"], title=row["title"], hours=row["hours"], provider=row["provider"], kind=row["kind"],
                     mandatory_for=_roles(row["mandatory_roles"]), renewal_months=row["renewal_months"],
                     active=row["active"])


async def list_courses(principal: Principal, *, include_inactive: bool = False) -> list[CourseOut]:
    condition = Course.organisation == principal.organisation_id
    if not include_inactive:
        condition &= Course.active == True
    rows = await Course.select().where(condition).order_by(Course.title)
    return [course_out(r) for r in rows]


async def create_course(principal: Principal, data: CourseIn) -> CourseOut:
    principal.require("cpd:manage")
    check_hours(data.hours)
    async with transaction():
        if await Course.exists().where((Course.organisation == principal.organisation_id) & (Course.title == data.title)):
            raise Conflict("A course with this title is already in the catalogue.")
        course = Course(organisation=principal.organisation_id, title=data.title.strip(), hours=data.hours,
                        provider=data.provider.strip(), kind=data.kind, mandatory_roles=",".join(sorted(set(data.mandatory_for))),
                        renewal_months=data.renewal_months)
        await course.save()
        await audit.record(principal, "create", "course", course.id)
    return await get_course(principal, course.id)


async def get_course(principal: Principal, course_id: UUID) -> CourseOut:
    row = await Course.select().where((Course.id == course_id) & (Course.organisation == principal.organisation_id)).first()
    if row is None:
        raise NotFound("No such course.")
    return course_out(row)


async def update_course(principal: Principal, course_id: UUID, data: CoursePatch) -> CourseOut:
    principal.require("cpd:manage")
    check_hours(data.hours)
    await get_course(principal, course_id)
    values: dict[Any, Any] = {}
    for name in ("title", "hours", "provider", "renewal_months", "active"):
        value = getattr(data, name)
        if value is not None:
            values[getattr(Course, name)] = value
    if data.mandatory_for is not None:
        values[Course.mandatory_roles] = ",".join(sorted(set(data.mandatory_for)))
    if values:
        async with transaction():
            await Course.update(values).where(Course.id == course_id)
            await audit.record(principal, "update", "course", course_id, fields=sorted(c._meta.name for c in values))
    return await get_course(principal, course_id)


_RECORD_COLUMNS = (
    CpdRecord.id, CpdRecord.account.as_alias("account_id"), CpdRecord.account.display_name.as_alias("person"),
    CpdRecord.activity, CpdRecord.course.as_alias("course_id"), CpdRecord.course.title.as_alias("course"),
    CpdRecord.done_on, CpdRecord.hours, CpdRecord.status, CpdRecord.reflection,
    CpdRecord.verified_by.display_name.as_alias("verified_by"), CpdRecord.verified_at,
    CpdRecord.evidence_name, CpdRecord.evidence_size,
)


def record_out(row: dict[str, Any], principal: Principal) -> RecordOut:
    own = row["account_id"] == principal.account_id
    return RecordOut(
        id=row["id"], account_id=row["account_id"], person=row["person"], activity=row["activity"],
        course_id=row["course_id"], course=row["course"], done_on=row["done_on"], hours=row["hours"],
        status=row["status"], reflection=row["reflection"] if own else None,
        verified=row["verified_at"] is not None, verified_by=row["verified_by"],
        evidence_name=row["evidence_name"], evidence_size=row["evidence_size"],
    )


async def supervisees_of(principal: Principal) -> set[UUID]:
    """Accounts the caller supervises one-to-one under an active agreement."""
    return set(await SupervisionAgreement.select(SupervisionAgreement.supervisee).where(
        (SupervisionAgreement.organisation == principal.organisation_id)
        & (SupervisionAgreement.supervisor == principal.account_id)
        & (SupervisionAgreement.status == "active") & SupervisionAgreement.supervisee.is_not_null()
    ).output(as_list=True))


async def record_row(principal: Principal, record_id: UUID) -> dict[str, Any]:
    """The record, if it is in the caller's organisation (else NotFound)."""
    row = await CpdRecord.select(*_RECORD_COLUMNS, CpdRecord.evidence_key, CpdRecord.evidence_type).where(
        (CpdRecord.id == record_id) & (CpdRecord.organisation == principal.organisation_id)).first()
    if row is None:
        raise NotFound("No such CPD record.")
    return row


async def may_see(principal: Principal, owner: UUID) -> bool:
    """The owner, their supervisor and admins."""
    if owner == principal.account_id or "admin" in principal.roles:
        return True
    return owner in await supervisees_of(principal)


async def record_cpd(principal: Principal, data: RecordIn) -> RecordOut:
    """Record one of the caller's own learning activities."""
    principal.require("cpd:record")
    check_hours(data.hours)
    if data.status == "done" and data.done_on > date.today():
        raise InvalidInput("done_on: a completed activity cannot be in the future (record it as booked).")
    if data.course_id is not None:
        await get_course(principal, data.course_id)
    async with transaction():
        record = CpdRecord(organisation=principal.organisation_id, account=principal.account_id,
                           course=data.course_id, activity=data.activity.strip(), done_on=data.done_on,
                           hours=data.hours, status=data.status, reflection=data.reflection)
        await record.save()
        await audit.record(principal, "create", "cpd_record", record.id)
    return record_out(await record_row(principal, record.id), principal)


async def my_records(principal: Principal) -> list[RecordOut]:
    rows = await CpdRecord.select(*_RECORD_COLUMNS).where(
        (CpdRecord.organisation == principal.organisation_id) & (CpdRecord.account == principal.account_id)
    ).order_by(CpdRecord.done_on, ascending=False)
    return [record_out(r, principal) for r in rows]


async def supervisee_records(principal: Principal) -> list[RecordOut]:
    """Records of the people the caller supervises (dates and hours; not reflections)."""
    principal.require("cpd:verify")
    people = await supervisees_of(principal)
    if not people:
        return []
    rows = await CpdRecord.select(*_RECORD_COLUMNS).where(
        (CpdRecord.organisation == principal.organisation_id) & CpdRecord.account.is_in(list(people))
        & (CpdRecord.status == "done")
    ).order_by(CpdRecord.done_on, ascending=False)
    return [record_out(r, principal) for r in rows]


async def verify(principal: Principal, record_id: UUID) -> RecordOut:
    """Mark a completed record verified: only the owner's supervisor, or an admin."""
    principal.require("cpd:verify")
    row = await record_row(principal, record_id)
    if row["account_id"] == principal.account_id:
        raise PermissionDenied("You cannot verify your own CPD.")
    if "admin" not in principal.roles and row["account_id"] not in await supervisees_of(principal):
        raise PermissionDenied("Only this person's supervisor or an admin can verify their CPD.")
    if row["status"] != "done":
        raise Conflict("Only a completed activity can be verified.")
    async with transaction():
        await CpdRecord.update({CpdRecord.verified_by: principal.account_id,
                                CpdRecord.verified_at: now()}).where(CpdRecord.id == record_id)
        await audit.record(principal, "update", "cpd_record", record_id, fields=["verified_by", "verified_at"])
    return record_out(await record_row(principal, record_id), principal)


async def policy(organisation_id: UUID) -> PolicyIn:
    row = await DevelopmentPolicy.select().where(DevelopmentPolicy.organisation == organisation_id).first()
    return PolicyIn(row["induction_within_days"], row["remind_days_before"]) if row else PolicyIn()


async def set_policy(principal: Principal, data: PolicyIn) -> PolicyIn:
    principal.require("cpd:manage")
    async with transaction():
        await DevelopmentPolicy.delete().where(DevelopmentPolicy.organisation == principal.organisation_id)
        await DevelopmentPolicy(organisation=principal.organisation_id, induction_within_days=data.induction_within_days,
                                remind_days_before=data.remind_days_before).save()
        await audit.record(principal, "update", "development_policy", None,
                           fields=["induction_within_days", "remind_days_before"])
    return data


async def _member(principal: Principal, account_id: UUID, field: str) -> None:
    if not await Membership.exists().where(
        (Membership.organisation == principal.organisation_id) & (Membership.account == account_id)
    ):
        raise NotFound(f"{field}: no such account in your organisation.")


async def set_line_manager(principal: Principal, data: LineManagerIn) -> LineManagerIn:
    """Record (or clear, with no manager) who line-manages a person."""
    principal.require("people:write")
    await _member(principal, data.account_id, "account_id")
    if data.manager_id is not None:
        await _member(principal, data.manager_id, "manager_id")
        if data.manager_id == data.account_id:
            raise InvalidInput("manager_id: a person cannot line-manage themselves.")
    async with transaction():
        await LineManager.delete().where(
            (LineManager.organisation == principal.organisation_id) & (LineManager.account == data.account_id))
        if data.manager_id is not None:
            await LineManager(organisation=principal.organisation_id, account=data.account_id,
                              manager=data.manager_id).save()
        await audit.record(principal, "update", "line_manager", data.account_id, fields=["manager"])
    return data


async def acknowledge(principal: Principal, data: AcknowledgeIn) -> AcknowledgeIn:
    """The caller confirms they have read their written role description (once per document)."""
    principal.require("cpd:record")
    async with transaction():
        done = await RoleAcknowledgement.exists().where(
            (RoleAcknowledgement.account == principal.account_id) & (RoleAcknowledgement.document == data.document))
        if not done:
            ack = RoleAcknowledgement(organisation=principal.organisation_id, account=principal.account_id,
                                      document=data.document)
            await ack.save()
            await audit.record(principal, "create", "role_acknowledgement", ack.id)
    return data


async def acknowledged(principal: Principal) -> list[str]:
    return await RoleAcknowledgement.select(RoleAcknowledgement.document).where(
        (RoleAcknowledgement.account == principal.account_id)
        & (RoleAcknowledgement.organisation == principal.organisation_id)).output(as_list=True)


async def book_induction(principal: Principal, account_id: UUID, first_day: date) -> str | None:
    """Training from day one: book a new starter on the organisation's induction course, dated
    their first day. The course's title, or None when the catalogue has no induction course."""
    course = await Course.select(Course.id, Course.title, Course.hours).where(
        (Course.organisation == principal.organisation_id) & (Course.kind == "induction")
    ).first()
    if course is None:
        return None
    record = CpdRecord(organisation=principal.organisation_id, account=account_id, course=course["id"],
                       activity=course["title"], done_on=first_day, hours=Decimal(str(course["hours"] or 0)),
                       status="booked")
    await record.save()
    await audit.record(principal, "create", "cpd_record", record.id, kind="induction")
    return course["title"]


async def record_attended_course(principal: Principal, account_id: UUID, course_id: UUID, done_on: date,
                                 verified_by: UUID) -> UUID:
    """A course attended in full, recorded for the person as done and verified by the trainer
    who confirmed their attendance (training checks who may; call it inside its transaction).
    Its hours are the course's; its expiry follows the course's renewal_months like any record."""
    course = await Course.select(Course.title, Course.hours).where(
        (Course.id == course_id) & (Course.organisation == principal.organisation_id)).first()
    if course is None:
        raise NotFound("No such course.")
    record = CpdRecord(organisation=principal.organisation_id, account=account_id, course=course_id,
                       activity=course["title"], done_on=done_on, hours=Decimal(str(course["hours"] or 0)),
                       status="done", verified_by=verified_by, verified_at=now())
    await record.save()
    await audit.record(principal, "create", "cpd_record", record.id, kind="attended")
    return record.id


async def withdraw_attended_course(principal: Principal, record_id: UUID) -> bool:
    """Remove a record made by ``record_attended_course`` when the attendance behind it is
    withdrawn, unless its owner has used it since (a reflection or evidence added): then it
    stays. True when removed."""
    row = await CpdRecord.select(CpdRecord.reflection, CpdRecord.evidence_key).where(
        (CpdRecord.id == record_id) & (CpdRecord.organisation == principal.organisation_id)).first()
    if row is None or row["reflection"] or row["evidence_key"]:
        return False
    await CpdRecord.delete().where(CpdRecord.id == record_id)
    await audit.record(principal, "delete", "cpd_record", record_id, kind="attendance withdrawn")
    return True
