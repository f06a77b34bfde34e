"""API shapes for wellbeing: the plan and passport in the owner's words, shares, check-ins."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct

Kind = Literal["plan", "passport"]
Need = Literal["connection", "rest", "support"]
Words = Annotated[str, Meta(max_length=4000)]
Short = Annotated[str, Meta(max_length=300)]

# The text fields of each kind, in the order the pages show them, with their headings.
PLAN_FIELDS = {
    "what_keeps_me_well": "What keeps me well",
    "early_warning_signs": "Early warning signs",
    "what_helps": "What helps when I am struggling",
    "colleagues_can_help": "What I would like colleagues to do",
    "contacts": "Contacts",
}
PASSPORT_FIELDS = {
    "adjustments": "Agreed adjustments",
    "agreed_by": "Who agreed them",
    "agreed_on": "When they were agreed",
}
FIELDS = {"plan": PLAN_FIELDS, "passport": PASSPORT_FIELDS}
KIND_LABELS = {"plan": "Wellness plan", "passport": "Workplace adjustments passport"}
NEED_LABELS = {"connection": "Connection", "rest": "Rest", "support": "Support"}


class PlanIn(Struct, forbid_unknown_fields=True):
    """A wellness plan (WRAP-style), every part optional, in the person's own words."""

    what_keeps_me_well: Words = ""
    early_warning_signs: Words = ""
    what_helps: Words = ""
    colleagues_can_help: Words = ""
    contacts: Words = ""
    review_date: date | None = None


class PassportIn(Struct, forbid_unknown_fields=True):
    """A workplace adjustments passport: what was agreed, by whom, when, and when to review it."""

    adjustments: Words = ""
    agreed_by: Short = ""
    agreed_on: date | None = None
    review_date: date | None = None


class DocumentOut(Struct):
    id: UUID
    kind: str
    owner_name: str
    mine: bool
    text: dict[str, str]  # field name -> the owner's words (agreed_on as YYYY-MM-DD)
    review_date: date | None
    updated_at: datetime


class ShareIn(Struct, forbid_unknown_fields=True):
    """Whom to share with: someone in your organisation by account, or someone in a network
    partner organisation by their work email."""

    account_id: UUID | None = None
    email: Annotated[str, Meta(max_length=254)] | None = None


class ShareOut(Struct):
    document_id: UUID
    kind: str
    account_id: UUID
    name: str
    organisation: str
    granted_at: datetime


class SharedWithMe(Struct):
    document_id: UUID
    kind: str
    owner_name: str
    organisation: str
    granted_at: datetime


class PersonChoice(Struct):
    account_id: UUID
    name: str


class CheckInIn(Struct, forbid_unknown_fields=True):
    need: Need
    note: Annotated[str, Meta(max_length=1000)] = ""


class Link(Struct):
    label: str
    href: str


class Suggestion(Struct):
    text: str
    links: list[Link]


class CheckInOut(Struct):
    id: UUID
    need: str
    note: str
    at: datetime
    suggestion: Suggestion | None = None
