"""API shapes for supervision."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct

Kind = Literal["one_to_one", "group"]


class AgreementIn(Struct, forbid_unknown_fields=True):
    supervisor_id: UUID
    start_date: date
    kind: Kind = "one_to_one"
    supervisee_id: UUID | None = None
    group_id: UUID | None = None
    every_days: Annotated[int, Meta(ge=1, le=366)] | None = None  # default: the organisation's policy
    grace_days: Annotated[int, Meta(ge=0, le=90)] | None = None
    length_minutes: Annotated[int, Meta(ge=15, le=480)] = 60
    preferred_weekday: Annotated[int, Meta(ge=0, le=4)] | None = None
    window_start: time = time(10, 0)
    window_end: time = time(16, 0)
    end_date: date | None = None


class AgreementOut(Struct):
    id: UUID
    kind: str
    supervisor_id: UUID
    supervisor: str
    supervisee_id: UUID | None
    supervisee: str | None
    group_id: UUID | None
    every_days: int
    grace_days: int
    length_minutes: int
    preferred_weekday: int | None
    window_start: time
    window_end: time
    start_date: date
    end_date: date | None
    status: str


class GroupIn(Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    facilitator_ids: Annotated[list[UUID], Meta(min_length=1)]
    member_ids: list[UUID] = []
    capacity: Annotated[int, Meta(ge=2, le=50)] = 10


class GroupOut(Struct):
    id: UUID
    name: str
    capacity: int
    facilitators: list[str]
    members: list[str]


class SessionOut(Struct):
    """Dates, attendance and status only: never the notes."""

    id: UUID
    agreement_id: UUID
    kind: str
    supervisor: str
    supervisee: str | None
    start: datetime
    end: datetime
    status: str
    clash: str | None
    cancelled_by: str | None
    sequence: int


class ProposeIn(Struct, forbid_unknown_fields=True):
    months: Annotated[int, Meta(ge=1, le=12)] = 6


class AcceptIn(Struct, forbid_unknown_fields=True):
    session_ids: list[UUID] = []  # empty: accept every proposal of the agreement


class MoveIn(Struct, forbid_unknown_fields=True):
    start: datetime
    end: datetime
    reason: Annotated[str, Meta(max_length=500)] = ""


class CancelIn(Struct, forbid_unknown_fields=True):
    by: Literal["supervisor", "supervisee", "peer_lead"]
    reason: Annotated[str, Meta(max_length=500)] = ""


class OutcomeIn(Struct, forbid_unknown_fields=True):
    status: Literal["held", "did_not_attend"]
    attended_ids: list[UUID] = []  # group sessions: who came


class NotesIn(Struct, forbid_unknown_fields=True):
    notes: Annotated[str, Meta(max_length=20000)] = ""
    actions: Annotated[str, Meta(max_length=5000)] = ""


class CommentIn(Struct, forbid_unknown_fields=True):
    comment: Annotated[str, Meta(max_length=5000)] = ""
    confirm: bool = False


class NotesOut(Struct):
    session_id: UUID
    notes: str
    actions: str
    supervisee_comment: str
    confirmed_at: datetime | None
    updated_at: datetime


class CoverIn(Struct, forbid_unknown_fields=True):
    away_id: UUID
    cover_id: UUID
    start_date: date
    end_date: date


class CoverOut(Struct):
    id: UUID
    sessions_moved: int


class ComplianceFigures(Struct):
    last_held: date | None
    next_scheduled: date | None
    due_by: date
    overdue: bool
    days_overdue: int
    expected_6m: int
    held_6m: int
    share_6m: float | None
    expected_12m: int
    held_12m: int
    share_12m: float | None


class ComplianceRow(Struct):
    account_id: UUID | None  # None: no account yet, so no supervision can be recorded for them
    name: str
    one_to_one: ComplianceFigures | None
    group: ComplianceFigures | None
    person_id: UUID | None = None  # None: an account with no staff record in the organisation
    has_account: bool = True


class PolicyIn(Struct, forbid_unknown_fields=True):
    role: Literal["psw", "supervisor", "peer_lead"]
    kind: Kind
    every_days: Annotated[int, Meta(ge=1, le=366)]
    grace_days: Annotated[int, Meta(ge=0, le=90)] = 7
