"""API shapes for co-production: the involvement policy, participants, activities and their
lines, payments and a person's own record. Money is whole pence, time whole minutes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct

from peerwork.coproduction.money import MAX_MINUTES, MAX_PENCE

Kind = Literal["co_design", "interview_panel", "training_delivery", "steering_group", "consultation",
               "peer_review", "other"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
KIND_LABELS = {
    "co_design": "Co-designing a service", "interview_panel": "Interview panel",
    "training_delivery": "Training delivery", "steering_group": "Steering or advisory group",
    "consultation": "Consultation or focus group", "peer_review": "Reviewing documents or research",
    "other": "Other involvement",
}
Preference = Literal["paid", "voucher", "none"]
PREFERENCE_LABELS = {"paid": "Paid", "voucher": "Voucher", "none": "No payment"}
Pence = Annotated[int, Meta(ge=0, le=MAX_PENCE)]
Minutes = Annotated[int, Meta(ge=1, le=MAX_MINUTES)]


class PolicyIn(Struct, forbid_unknown_fields=True):
    """Hourly rates in pence by activity kind (a kind left out is unpaid)."""

    rates: dict[Kind, Pence]
    reimburse_expenses: bool = True
    pay_employees_for_panels: bool = False


class PolicyOut(Struct):
    rates: dict[str, int]
    reimburse_expenses: bool
    pay_employees_for_panels: bool
    updated_at: datetime | None


class ParticipantIn(Struct, forbid_unknown_fields=True):
    """A staff record (``person_id``), or someone outside the workforce by name and email."""

    person_id: UUID | None = None
    name: Annotated[str, Meta(max_length=200)] = ""
    email: Annotated[str, Meta(max_length=254)] = ""
    preference: Preference = "paid"


class PreferenceIn(Struct, forbid_unknown_fields=True):
    preference: Preference


class ParticipantOut(Struct):
    id: UUID
    name: str
    email: str
    staff: bool
    preference: str


class LineIn(Struct, forbid_unknown_fields=True):
    participant_id: UUID
    minutes: Minutes
    expenses_pence: Pence = 0


class LineEdit(Struct, forbid_unknown_fields=True):
    minutes: Minutes | None = None
    expenses_pence: Pence | None = None


class CorrectionIn(Struct, forbid_unknown_fields=True):
    """What a paid line should have said: the difference is recorded as a new line due."""

    minutes: Annotated[int, Meta(ge=0, le=MAX_MINUTES)]
    expenses_pence: Pence
    note: Annotated[str, Meta(min_length=1, max_length=300)]


class ActivityIn(Struct, forbid_unknown_fields=True):
    title: Annotated[str, Meta(min_length=1, max_length=200)]
    kind: Kind
    held_on: date
    description: Annotated[str, Meta(max_length=4000)] = ""
    lines: Annotated[list[LineIn], Meta(max_length=200)] = []


class LineOut(Struct):
    id: UUID
    activity_id: UUID
    participant_id: UUID
    name: str
    minutes: int
    rate_pence: int
    preference: str
    amount_pence: int
    expenses_pence: int
    status: str
    paid_on: date | None
    corrects: UUID | None
    note: str


class ActivityOut(Struct):
    id: UUID
    title: str
    kind: str
    held_on: date
    description: str
    automatic: bool
    lines: list[LineOut]


class ActivitySummary(Struct):
    id: UUID
    title: str
    kind: str
    held_on: date
    people: int
    minutes: int
    due_pence: int
    paid_pence: int


class PaidIn(Struct, forbid_unknown_fields=True):
    line_ids: Annotated[list[UUID], Meta(min_length=1, max_length=2000)]
    paid_on: date


class PaidOut(Struct):
    paid: int


class MyLine(Struct):
    activity_title: str
    kind: str
    held_on: date
    minutes: int
    amount_pence: int
    expenses_pence: int
    status: str
    paid_on: date | None
    correction: bool


class MyRecord(Struct):
    lines: list[MyLine]
    minutes: int
    due_pence: int
    paid_pence: int
