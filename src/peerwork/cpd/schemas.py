"""API shapes for CPD: the course catalogue, records, compliance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct

CourseKind = Literal["induction", "core", "manager", "other"]
Role = Literal["admin", "hr", "peer_lead", "supervisor", "psw"]
# msgspec cannot bound a Decimal: services check 0 <= hours <= 1000.
Hours = Decimal


class CourseIn(Struct, forbid_unknown_fields=True):
    title: Annotated[str, Meta(min_length=1, max_length=200)]
    hours: Hours
    provider: Annotated[str, Meta(max_length=200)] = ""
    kind: CourseKind = "other"
    mandatory_for: list[Role] = []
    renewal_months: Annotated[int, Meta(ge=1, le=120)] | None = None


class CoursePatch(Struct, forbid_unknown_fields=True):
    title: Annotated[str, Meta(min_length=1, max_length=200)] | None = None
    hours: Hours | None = None
    provider: Annotated[str, Meta(max_length=200)] | None = None
    mandatory_for: list[Role] | None = None
    renewal_months: Annotated[int, Meta(ge=1, le=120)] | None = None
    active: bool | None = None


class CourseOut(Struct):
    id: UUID
    title: str
    hours: Decimal
    provider: str
    kind: str
    mandatory_for: list[str]
    renewal_months: int | None
    active: bool


class RecordIn(Struct, forbid_unknown_fields=True):
    activity: Annotated[str, Meta(min_length=1, max_length=200)]
    done_on: date
    hours: Hours
    reflection: Annotated[str, Meta(max_length=10000)] = ""
    course_id: UUID | None = None
    status: Literal["done", "booked"] = "done"


class RecordOut(Struct):
    """A CPD record; the reflection is only returned to its owner."""

    id: UUID
    account_id: UUID
    person: str
    activity: str
    course_id: UUID | None
    course: str | None
    done_on: date
    hours: Decimal
    status: str
    reflection: str | None
    verified: bool
    verified_by: str | None
    evidence_name: str | None
    evidence_size: int | None


class CourseStatusOut(Struct):
    course_id: UUID
    title: str
    status: str
    done_on: date | None
    expires_on: date | None


class PersonCompliance(Struct):
    account_id: UUID | None  # None: no account yet, so no CPD can be recorded for them
    name: str
    roles: list[str]  # empty for someone with no account yet
    started_on: date | None
    induction_late: bool
    courses: list[CourseStatusOut]
    hours_12_months: Decimal
    person_id: UUID | None = None  # the staff record, when the account is linked to one
    has_account: bool = True


class PolicyIn(Struct, forbid_unknown_fields=True):
    induction_within_days: Annotated[int, Meta(ge=0, le=365)] = 14
    remind_days_before: Annotated[int, Meta(ge=1, le=180)] = 30


class LineManagerIn(Struct, forbid_unknown_fields=True):
    account_id: UUID
    manager_id: UUID | None


class AcknowledgeIn(Struct, forbid_unknown_fields=True):
    document: Annotated[str, Meta(min_length=1, max_length=200)] = "Role description"
