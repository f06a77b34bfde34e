"""API shapes for the workforce domain (msgspec structs, so OpenAPI comes for free)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from peerwork.core.todo import PersonSection

Name = Annotated[str, Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, Meta(max_length=100)]
Fte = Decimal  # range (0 < fte <= 1) checked by rules.parse_fte


class TeamOut(Struct):
    id: UUID
    name: str


class TeamIn(Struct, forbid_unknown_fields=True):
    name: Name


class PersonOut(Struct):
    id: UUID
    employee_number: str
    given_name: str | None
    family_name: str | None
    email: str | None
    created_at: datetime
    updated_at: datetime


class PeopleFilter(Struct, forbid_unknown_fields=True):
    """Narrowing the people list: every given filter must hold."""

    q: Annotated[str, Meta(max_length=100, description="Words in the name or employee number")] | None = None
    team_id: Annotated[UUID, Meta(description="Has (or had) an assignment in this team")] | None = None
    role: Annotated[Literal["admin", "hr", "peer_lead", "supervisor", "psw"],
                    Meta(description="Has an account with this role")] | None = None
    in_post: Annotated[Literal["yes", "no"], Meta(description="Has a current assignment today (yes) or not (no)")] | None = None


class PersonOverviewOut(Struct):
    """A person's page: their staff record, and each section the viewer may see (a section the
    viewer has no right to is left out, not sent empty)."""

    person: PersonOut
    sections: list[PersonSection]


class PersonIn(Struct, forbid_unknown_fields=True):
    employee_number: Annotated[str, Meta(min_length=1, max_length=64)]
    given_name: ShortText | None = None
    family_name: ShortText | None = None
    email: Annotated[str, Meta(max_length=254)] | None = None


class PersonPatch(Struct, forbid_unknown_fields=True):
    employee_number: Annotated[str, Meta(min_length=1, max_length=64)] | UnsetType = UNSET
    given_name: ShortText | None | UnsetType = UNSET
    family_name: ShortText | None | UnsetType = UNSET
    email: Annotated[str, Meta(max_length=254)] | None | UnsetType = UNSET


class AssignmentOut(Struct):
    id: UUID
    person_id: UUID
    employee_number: str
    assignment_number: str
    position_title: str
    lived_experience_role: bool
    afc_band: str | None
    team_id: UUID | None
    team: str | None
    start_date: date
    end_date: date | None
    leaving_reason: str | None
    fte: Decimal | None


class AssignmentIn(Struct, forbid_unknown_fields=True):
    person_id: UUID
    assignment_number: Annotated[str, Meta(min_length=1, max_length=64)]
    position_title: Name
    lived_experience_role: bool
    start_date: date
    afc_band: str | None = None
    team_id: UUID | None = None
    end_date: date | None = None
    leaving_reason: Annotated[str, Meta(max_length=2000)] | None = None
    fte: Fte | None = None


class AssignmentPatch(Struct, forbid_unknown_fields=True):
    position_title: Name | UnsetType = UNSET
    lived_experience_role: bool | UnsetType = UNSET
    afc_band: str | None | UnsetType = UNSET
    team_id: UUID | None | UnsetType = UNSET
    start_date: date | UnsetType = UNSET
    end_date: date | None | UnsetType = UNSET
    leaving_reason: Annotated[str, Meta(max_length=2000)] | None | UnsetType = UNSET
    fte: Fte | None | UnsetType = UNSET


class ImportProblemOut(Struct):
    line: int
    column: str
    problem: str


class ImportReportOut(Struct):
    rows: int
    valid_rows: int
    created: int
    updated: int
    unchanged: int
    people_created: int
    teams_created: int
    applied: bool
    dry_run: bool
    errors: list[ImportProblemOut]
    people_updated: int = 0  # existing people whose equality monitoring values the file changed


__all__ = ["msgspec"]
