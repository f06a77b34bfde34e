"""People and their employment assignments, always within the caller's organisation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Iterable
from uuid import UUID

from peerwork.core.db import current_engine, is_postgres, transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.workforce.rules import RuleError, check_dates, parse_band, parse_fte
from peerwork.core.schema import provided
from peerwork.workforce.schemas import (
    AssignmentIn,
    AssignmentOut,
    AssignmentPatch,
    PersonIn,
    PeopleFilter,
    PersonOut,
    PersonOverviewOut,
    PersonPatch,
)
from peerwork.core.tenancy import ensure_unique, one_in_organisation
from peerwork.workforce.staff import people_in_post
from peerwork.workforce.tables import Assignment, Team
from peerwork.core.tables import Account, Membership, Person
from peerwork.core.time import now
from peerwork.core.todo import PersonProvider, person_sections

_PERSON_COLUMNS = (
    Person.id, Person.employee_number, Person.given_name, Person.family_name,
    Person.email, Person.created_at, Person.updated_at,
)



async def list_people(principal: Principal, *, limit: int = 100, offset: int = 0,
                      filters: PeopleFilter | None = None) -> list[PersonOut]:
    """The organisation's people by employee number, narrowed by ``filters`` (see
    :class:`PeopleFilter`). Filtering by team or being in post reads assignments, so it needs
    the right to read them."""
    principal.require("people:read")
    condition = Person.organisation == principal.organisation_id
    if filters is not None:
        condition = await _narrowed(principal, condition, filters)
        if condition is None:
            return []
    rows = await Person.select(*_PERSON_COLUMNS).where(condition).order_by(
        Person.employee_number).limit(limit).offset(offset)
    return [PersonOut(**r) for r in rows]


def _contains(column: Any, term: str) -> Any:
    """Case-insensitive "contains": ILIKE on PostgreSQL; SQLite's LIKE already ignores case."""
    pattern = f"%{term}%"
    return column.ilike(pattern) if is_postgres(current_engine()) else column.like(pattern)


def _search_terms(text: str | None) -> list[str]:
    # LIKE wildcards typed into a search box are read as the characters themselves: dropped.
    return [t for t in (text or "").replace("%", " ").replace("_", " ").split() if t][:5]


async def _narrowed(principal: Principal, condition: Any, filters: PeopleFilter) -> Any | None:
    """``condition`` narrowed by the filters; None when no one can match."""
    for term in _search_terms(filters.q):
        condition &= _contains(Person.given_name, term) | _contains(Person.family_name, term) | _contains(
            Person.employee_number, term)
    if filters.role is not None:
        ids = await Membership.select(Membership.account.person).where(
            (Membership.organisation == principal.organisation_id) & (Membership.role == filters.role)
            & (Membership.account.person.organisation == principal.organisation_id)
        ).output(as_list=True)
        if not ids:
            return None
        condition &= Person.id.is_in(ids)
    if filters.team_id is not None or filters.in_post is not None:
        principal.require("assignments:read")
    if filters.team_id is not None:
        in_team = await _people_with(principal, Assignment.team == filters.team_id)
        if not in_team:
            return None
        condition &= Person.id.is_in(in_team)
    if filters.in_post is not None:
        today = date.today()
        in_post = await _people_with(principal, (Assignment.start_date <= today) & (
            Assignment.end_date.is_null() | (Assignment.end_date >= today)))
        if filters.in_post == "yes":
            if not in_post:
                return None
            condition &= Person.id.is_in(in_post)
        elif in_post:  # "no": everyone else, including people with no assignment at all
            condition &= Person.id.not_in(in_post)
    return condition


async def _people_with(principal: Principal, spells: Any) -> list[UUID]:
    """Ids of the people with an assignment in the caller's organisation matching ``spells``."""
    rows = await Assignment.select(Assignment.person).where(
        (Assignment.organisation == principal.organisation_id) & spells).output(as_list=True)
    return sorted(set(rows), key=str)


async def get_person(principal: Principal, person_id: UUID) -> PersonOut:
    principal.require("people:read")
    row = await one_in_organisation(Person, principal.organisation_id, person_id, _PERSON_COLUMNS, "No such person.")
    return PersonOut(**row)


async def overview(principal: Principal, person_id: UUID, providers: Iterable[PersonProvider]) -> PersonOverviewOut:
    """The person (NotFound outside the caller's organisation) and the sections of their page
    that the caller may see, from every capability's ``PERSON`` provider."""
    person = await get_person(principal, person_id)
    return PersonOverviewOut(person=person, sections=await person_sections(principal, person_id, providers))


async def _check_employee_number_free(organisation_id: UUID, number: str, except_id: UUID | None = None) -> None:
    await ensure_unique(
        Person.employee_number, organisation_id, number, f"Employee number {number!r} is already in use.",
        except_id=except_id,
    )


async def create_person(principal: Principal, data: PersonIn) -> PersonOut:
    principal.require("people:write")
    async with transaction():
        await _check_employee_number_free(principal.organisation_id, data.employee_number.strip())
        person = Person(
            organisation=principal.organisation_id, employee_number=data.employee_number.strip(),
            given_name=data.given_name, family_name=data.family_name, email=data.email,
        )
        await person.save()
        await audit.record(principal, "create", "person", person.id)
    return await get_person(principal, person.id)


async def update_person(principal: Principal, person_id: UUID, patch: PersonPatch) -> PersonOut:
    principal.require("people:write")
    await get_person(principal, person_id)
    changes = provided(patch)
    if not changes:
        raise InvalidInput("Nothing to change: send at least one field.")
    async with transaction():
        if "employee_number" in changes:
            await _check_employee_number_free(principal.organisation_id, changes["employee_number"], person_id)
        values: dict[Any, Any] = {getattr(Person, k): v for k, v in changes.items()}
        values[Person.updated_at] = now()
        await Person.update(values).where(Person.id == person_id)
        await audit.record(principal, "update", "person", person_id, fields=sorted(changes))
    return await get_person(principal, person_id)


# --- Assignments ------------------------------------------------------------------------

_ASSIGNMENT_COLUMNS = (
    Assignment.id, Assignment.person.as_alias("person_id"), Assignment.person.employee_number,
    Assignment.assignment_number, Assignment.position_title, Assignment.lived_experience_role,
    Assignment.afc_band, Assignment.team.as_alias("team_id"), Assignment.team.name.as_alias("team"),
    Assignment.start_date, Assignment.end_date, Assignment.leaving_reason, Assignment.fte,
)


def _assignment_out(row: dict[str, Any]) -> AssignmentOut:
    row = dict(row)
    row["employee_number"] = row.pop("person.employee_number")
    if row["fte"] is not None:
        row["fte"] = Decimal(str(row["fte"])).quantize(Decimal("0.0001"))
    return AssignmentOut(**row)


async def list_assignments(
    principal: Principal, *, person_id: UUID | None = None, limit: int = 100, offset: int = 0
) -> list[AssignmentOut]:
    principal.require("assignments:read")
    condition = Assignment.organisation == principal.organisation_id
    if person_id is not None:
        await get_person(principal, person_id)
        condition &= Assignment.person == person_id
    rows = await Assignment.select(*_ASSIGNMENT_COLUMNS).where(condition).order_by(
        Assignment.assignment_number
    ).limit(limit).offset(offset)
    # Lived-experience role flags are special-category data: reading them is audited.
    await audit.record(
        principal, "read", "assignment", person_id, fields=["lived_experience_role"], count=len(rows)
    )
    return [_assignment_out(r) for r in rows]


async def get_assignment(principal: Principal, assignment_id: UUID, *, audited: bool = True) -> AssignmentOut:
    principal.require("assignments:read")
    row = await Assignment.select(*_ASSIGNMENT_COLUMNS).where(
        (Assignment.id == assignment_id) & (Assignment.organisation == principal.organisation_id)
    ).first()
    if row is None:
        raise NotFound("No such assignment.")
    if audited:
        await audit.record(principal, "read", "assignment", assignment_id, fields=["lived_experience_role"])
    return _assignment_out(row)


async def _check_team(principal: Principal, team_id: UUID | None) -> None:
    if team_id is not None and not await Team.exists().where(
        (Team.id == team_id) & (Team.organisation == principal.organisation_id)
    ):
        raise InvalidInput("team_id: no such team in your organisation.")


def _checked_band(raw: str | None) -> str | None:
    try:
        return parse_band(raw)
    except RuleError as exc:
        raise InvalidInput(f"afc_band: {exc}") from None


def _checked_fte(raw: Decimal | None) -> Decimal | None:
    try:
        return parse_fte(raw)
    except RuleError as exc:
        raise InvalidInput(f"fte: {exc}") from None


def _checked_dates(start: date, end: date | None) -> None:
    try:
        check_dates(start, end)
    except RuleError as exc:
        raise InvalidInput(f"end_date: {exc}") from None


async def create_assignment(principal: Principal, data: AssignmentIn) -> AssignmentOut:
    principal.require("assignments:write")
    if not await Person.exists().where(
        (Person.id == data.person_id) & (Person.organisation == principal.organisation_id)
    ):
        raise InvalidInput("person_id: no such person in your organisation.")
    await _check_team(principal, data.team_id)
    band = _checked_band(data.afc_band)
    fte = _checked_fte(data.fte)
    _checked_dates(data.start_date, data.end_date)
    async with transaction():
        if await Assignment.exists().where(
            (Assignment.organisation == principal.organisation_id)
            & (Assignment.assignment_number == data.assignment_number)
        ):
            raise Conflict(f"Assignment number {data.assignment_number!r} is already in use.")
        row = Assignment(
            organisation=principal.organisation_id, person=data.person_id,
            assignment_number=data.assignment_number.strip(), position_title=data.position_title.strip(),
            lived_experience_role=data.lived_experience_role, afc_band=band, team=data.team_id,
            start_date=data.start_date, end_date=data.end_date, leaving_reason=data.leaving_reason,
            fte=fte,
        )
        await row.save()
        await audit.record(principal, "create", "assignment", row.id)
    return await get_assignment(principal, row.id, audited=False)


async def update_assignment(principal: Principal, assignment_id: UUID, patch: AssignmentPatch) -> AssignmentOut:
    principal.require("assignments:write")
    current = await get_assignment(principal, assignment_id, audited=False)
    changes = provided(patch)
    if not changes:
        raise InvalidInput("Nothing to change: send at least one field.")
    if "team_id" in changes:
        await _check_team(principal, changes["team_id"])
    if "afc_band" in changes:
        changes["afc_band"] = _checked_band(changes["afc_band"])
    if "fte" in changes:
        changes["fte"] = _checked_fte(changes["fte"])
    _checked_dates(changes.get("start_date", current.start_date), changes.get("end_date", current.end_date))
    column_for = {"team_id": Assignment.team}
    values: dict[Any, Any] = {column_for.get(k) or getattr(Assignment, k): v for k, v in changes.items()}
    values[Assignment.updated_at] = now()
    async with transaction():
        await Assignment.update(values).where(Assignment.id == assignment_id)
        await audit.record(principal, "update", "assignment", assignment_id, fields=sorted(changes))
    return await get_assignment(principal, assignment_id, audited=False)


async def headline_counts(principal: Principal) -> dict[str, int]:
    """The figures on the home page, each shown only to a role that may see it."""
    counts: dict[str, int] = {}
    if principal.can("people:read"):
        counts["People"] = await Person.count().where(Person.organisation == principal.organisation_id)
        counts["Teams"] = await Team.count().where(Team.organisation == principal.organisation_id)
    if principal.can("assignments:read"):
        # Whether someone is in a lived-experience role says something about their health.
        counts["People in lived-experience roles now"] = len(
            await people_in_post(principal.organisation_id, date.today()))
    return counts


async def sign_in_status(organisation_id: UUID, person_ids: list[UUID]) -> dict[UUID, str]:
    """For each person: "active" (their account can sign in), "invited" (an account waits for
    its password), "closed" (deactivated) or "none" (no account yet)."""
    if not person_ids:
        return {}
    rows = await Account.select(Account.person, Account.password_hash, Account.is_active).where(
        Account.person.is_in(person_ids) & (Account.person.organisation == organisation_id))
    status = {pid: "none" for pid in person_ids}
    for r in rows:
        status[r["person"]] = ("closed" if not r["is_active"] else "active" if r["password_hash"] else "invited")
    return status
