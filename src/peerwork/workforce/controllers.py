"""JSON API for the workforce domain: thin handlers, one service call each."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.datastructures import State
from litestar.params import Body, Parameter

from peerwork.core.requests import Limit, Offset
from peerwork.core.errors import InvalidInput
from peerwork.workforce import importer, organisations, people
from peerwork.core.access import Principal
from peerwork.core.todo import TodoList, todo_for
from peerwork.workforce.schemas import (
    AssignmentIn,
    AssignmentOut,
    AssignmentPatch,
    ImportProblemOut,
    ImportReportOut,
    PersonIn,
    PeopleFilter,
    PersonOut,
    PersonOverviewOut,
    PersonPatch,
    TeamIn,
    TeamOut,
)

Role = Literal["admin", "hr", "peer_lead", "supervisor", "psw"]
YesNo = Literal["yes", "no"]

MAX_IMPORT_BYTES = 64 * 1024 * 1024


class TeamController(Controller):
    path = "/teams"
    tags = ["teams"]

    @get("/", opt={"right": "teams:read"})
    async def list_teams(self, principal: Principal) -> list[TeamOut]:
        return await organisations.list_teams(principal)

    @post("/", opt={"right": "teams:write"})
    async def create_team(self, principal: Principal, data: TeamIn) -> TeamOut:
        return await organisations.create_team(principal, data.name)

    @get("/{team_id:uuid}", opt={"right": "teams:read"})
    async def get_team(self, principal: Principal, team_id: UUID) -> TeamOut:
        return await organisations.get_team(principal, team_id)

    @patch("/{team_id:uuid}", opt={"right": "teams:write"})
    async def rename_team(self, principal: Principal, team_id: UUID, data: TeamIn) -> TeamOut:
        return await organisations.rename_team(principal, team_id, data.name)


class PersonController(Controller):
    path = "/people"
    tags = ["people"]

    @get("/", opt={"right": "people:read"})
    async def list_people(
        self, principal: Principal, limit: Limit = 100, offset: Offset = 0,
        q: Annotated[str | None, Parameter(max_length=100, description="Words in the name or employee number")] = None,
        team_id: Annotated[UUID | None, Parameter(description="Has (or had) an assignment in this team")] = None,
        role: Annotated[Role | None, Parameter(description="Has an account with this role")] = None,
        in_post: Annotated[YesNo | None, Parameter(description="Has a current assignment today")] = None,
    ) -> list[PersonOut]:
        """People by employee number. Filtering by team or in post needs the right to read
        assignments (403 without it)."""
        given = {"q": q, "team_id": team_id, "role": role, "in_post": in_post}
        filters = msgspec.convert({k: v for k, v in given.items() if v is not None}, PeopleFilter)
        return await people.list_people(principal, limit=limit, offset=offset, filters=filters)

    @post("/", opt={"right": "people:write"})
    async def create_person(self, principal: Principal, data: PersonIn) -> PersonOut:
        return await people.create_person(principal, data)

    @get("/{person_id:uuid}", opt={"right": "people:read"})
    async def get_person(self, principal: Principal, person_id: UUID) -> PersonOut:
        return await people.get_person(principal, person_id)

    @get("/{person_id:uuid}/overview", opt={"right": "people:read"})
    async def person_overview(self, principal: Principal, state: State, person_id: UUID) -> PersonOverviewOut:
        """The person's page: assignments, pair, supervision and CPD, each only where the
        caller's rights allow (a section they may not see is absent). Reading supervision and
        CPD is audited. Another organisation's person is a 404."""
        return await people.overview(principal, person_id, state.person_providers)

    @patch("/{person_id:uuid}", opt={"right": "people:write"})
    async def update_person(self, principal: Principal, person_id: UUID, data: PersonPatch) -> PersonOut:
        return await people.update_person(principal, person_id, data)

    @get("/{person_id:uuid}/assignments", opt={"right": "assignments:read"})
    async def person_assignments(self, principal: Principal, person_id: UUID) -> list[AssignmentOut]:
        return await people.list_assignments(principal, person_id=person_id, limit=1000)


class AssignmentController(Controller):
    path = "/assignments"
    tags = ["assignments"]

    @get("/", opt={"right": "assignments:read"})
    async def list_assignments(
        self, principal: Principal, limit: Limit = 100, offset: Offset = 0
    ) -> list[AssignmentOut]:
        return await people.list_assignments(principal, limit=limit, offset=offset)

    @post("/", opt={"right": "assignments:write"})
    async def create_assignment(self, principal: Principal, data: AssignmentIn) -> AssignmentOut:
        return await people.create_assignment(principal, data)

    @get("/{assignment_id:uuid}", opt={"right": "assignments:read"})
    async def get_assignment(self, principal: Principal, assignment_id: UUID) -> AssignmentOut:
        return await people.get_assignment(principal, assignment_id)

    @patch("/{assignment_id:uuid}", opt={"right": "assignments:write"})
    async def update_assignment(
        self, principal: Principal, assignment_id: UUID, data: AssignmentPatch
    ) -> AssignmentOut:
        return await people.update_assignment(principal, assignment_id, data)


def report_out(report: importer.ImportReport) -> ImportReportOut:
    return ImportReportOut(
        rows=report.rows, valid_rows=report.valid_rows, created=report.created, updated=report.updated,
        unchanged=report.unchanged, people_created=report.people_created, teams_created=report.teams_created,
        applied=report.applied, dry_run=report.dry_run, people_updated=report.people_updated,
        errors=[ImportProblemOut(line=p.line, column=p.column, problem=p.problem) for p in report.errors],
    )


class ImportController(Controller):
    path = "/imports"
    tags = ["imports"]

    @post("/assignments", status_code=200, request_max_body_size=MAX_IMPORT_BYTES, opt={"right": "assignments:import"})
    async def import_assignments(
        self,
        principal: Principal,
        data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
        dry_run: bool = False,
        all_or_nothing: bool = False,
    ) -> ImportReportOut:
        """Upload an ESR-style CSV as the multipart field ``data``. Bad rows come back in
        ``errors`` as line, column and problem; ``applied`` says whether anything was written."""
        if not isinstance(data, UploadFile):
            raise InvalidInput("Send the CSV as a multipart file field named 'data'.")
        report = await importer.import_assignments(
            principal.organisation_id, await data.read(), actor=principal,
            dry_run=dry_run, all_or_nothing=all_or_nothing,
        )
        return report_out(report)


class TodoController(Controller):
    path = "/me/todo"
    tags = ["accounts"]

    @get("/", opt={"right": "self"})
    async def my_todo(self, principal: Principal, state: State) -> TodoList:
        """What the caller should do or know next, most pressing first, each with the page
        where it is done: the same items as the home page, from every capability's ``TODO``
        provider, within the caller's rights and organisation."""
        return TodoList(items=await todo_for(principal, state.todo_providers))


ROUTES = [TodoController, TeamController, PersonController, AssignmentController, ImportController]
