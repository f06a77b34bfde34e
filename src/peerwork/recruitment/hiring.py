"""Hire: the application becomes a Person with a lived-experience Assignment, and onboarding starts."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, InvalidInput
from peerwork.recruitment import lifecycle, onboarding
from peerwork.recruitment.applications import application_seat
from peerwork.recruitment.schemas import HireIn, HireOut
from peerwork.recruitment.scoring import record_decision, require_compliant
from peerwork.recruitment.tables import Application, Vacancy
from peerwork.supervision.agreements import require_members
from peerwork.core import accounts, audit
from peerwork.core.access import Principal
from peerwork.core.tables import Account, Person
from peerwork.workforce.tables import Assignment, Team
from peerwork.core.time import now


async def hire(principal: Principal, application_id: UUID, data: HireIn) -> HireOut:
    """Refused (409) unless the application was offered and the panel meets policy."""
    principal.require("recruitment:manage")
    row, found = await application_seat(principal, application_id)
    if row["status"] != "offered":
        raise Conflict(f"Only an offered application can be hired (this one is {row['status']}).")
    await require_compliant(principal, row, "hiring")
    vacancy = found.vacancy
    team_id = data.team_id or vacancy["team"]
    if data.team_id and not await Team.exists().where(
            (Team.id == data.team_id) & (Team.organisation == principal.organisation_id)):
        raise InvalidInput("team_id: no such team in your organisation.")
    if data.supervisor_id:
        await require_members(principal, supervisor_id=data.supervisor_id)
    number = (data.employee_number or f"R-{row['reference'][2:]}").strip()
    if await Person.exists().where((Person.organisation == principal.organisation_id)
                                   & (Person.employee_number == number)):
        raise Conflict(f"employee_number: {number} is already someone's employee number.")
    given, _, family = row["name"].strip().partition(" ")
    async with transaction():
        person = Person(organisation=principal.organisation_id, employee_number=number, given_name=given or None,
                        family_name=family or None, email=row["email"] or None)
        await person.save()
        assignment = Assignment(
            organisation=principal.organisation_id, person=person.id, assignment_number=f"REC-{row['reference'][2:]}",
            position_title=vacancy["title"], lived_experience_role=True, afc_band=vacancy["afc_band"], team=team_id,
            start_date=data.start_date, fte=Decimal(str(data.fte)) if data.fte else None)
        await assignment.save()
        account_id = await _account_for(principal, row, person.id)
        await Application.update({Application.person_id: person.id}).where(Application.id == application_id)
        await record_decision(principal, row, "hire", "hired")
        await audit.record(principal, "create", "person", person.id, source="recruitment")
        await audit.record(principal, "create", "assignment", assignment.id, source="recruitment")
        hired = await Application.count().where((Application.vacancy == vacancy["id"])
                                                & (Application.status == "hired"))
        if hired >= vacancy["posts"]:
            await Vacancy.update({Vacancy.status: "filled", Vacancy.finished_at: now()}).where(
                Vacancy.id == vacancy["id"])
            await lifecycle.end_applications_in_progress(principal, vacancy["id"], "filled")
    steps = await onboarding.start(onboarding.NewStarter(
        principal=principal, person_id=person.id, account_id=account_id, assignment_id=assignment.id,
        start_date=data.start_date, team_id=team_id, supervisor_id=data.supervisor_id))
    return HireOut(application_id=application_id, person_id=person.id, assignment_id=assignment.id,
                   account_id=account_id, onboarding=steps)


async def _account_for(principal: Principal, row: dict, person_id: UUID) -> UUID | None:
    """A peer support worker account (no password yet) so supervision and bookings can start."""
    if not row["email"]:
        return None
    existing = await Account.select(Account.id).where(Account.email == row["email"].lower()).first()
    if existing:
        return existing["id"] if await require_members_quiet(principal, existing["id"]) else None
    view = await accounts.create_account(principal.organisation_id, row["email"], ["psw"], display_name=row["name"],
                                         person_id=person_id, actor=principal)
    return view.id


async def require_members_quiet(principal: Principal, account_id: UUID) -> bool:
    try:
        await require_members(principal, account_id=account_id)
    except InvalidInput:
        return False
    return True
