"""Builders for development tests: people with employment, supervision history, CPD."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

from peerwork.supervision.tables import (
    GroupAttendance,
    SupervisionAgreement,
    SupervisionGroup,
    SupervisionSession,
)
from peerwork.core import accounts
from peerwork.cpd.tables import Course, CpdRecord
from peerwork.workforce.importer import import_assignments
from peerwork.core.tables import Person
from tests.factories import User


async def make_employee(org, name: str, role: str = "psw", *, started: date | None = None, team: str = "Willow Ward",
                        lived_experience: bool = True, ended: date | None = None, password: str | None = None) -> User:
    """An account linked to a person with one assignment (started ``started``)."""
    employee = f"E-{name}"
    if started is not None:
        row = (f"A-{name},{employee},Peer Support Worker,{'Y' if lived_experience else 'N'},4,{team},"
               f"{started.isoformat()},{ended.isoformat() if ended else ''},,")
        header = ("assignment_number,person_id,position_title,lived_experience_role,afc_band,team,start_date,"
                  "end_date,leaving_reason,fte")
        report = await import_assignments(org.id, f"{header}\n{row}\n".encode())
        assert report.ok, report
    person = await Person.select(Person.id).where((Person.organisation == org.id)
                                                  & (Person.employee_number == employee)).first()
    email = f"{name.lower()}@{org.slug}.example"
    view = await accounts.create_account(org.id, email, [role], display_name=name, password=password,
                                         person_id=person["id"] if person else None)
    issued = await accounts.issue_api_token(view.id, org.id)
    principal = await accounts.authenticate_token(issued.token)
    return User(principal=principal, token=issued.token, email=email)


async def make_course(org, title: str, kind: str = "other", roles: str = "psw", renewal_months: int | None = None) -> UUID:
    course = Course(organisation=org.id, title=title, hours=Decimal(3), kind=kind, mandatory_roles=roles,
                    renewal_months=renewal_months)
    await course.save()
    return course.id


async def did(org, user: User, done_on: date, course_id: UUID | None = None, status: str = "done") -> UUID:
    record = CpdRecord(organisation=org.id, account=user.principal.account_id, course=course_id, activity="Learning",
                       done_on=done_on, hours=Decimal(2), status=status)
    await record.save()
    return record.id


def days_ago(days: int) -> datetime:
    return datetime.combine(date.today() - timedelta(days=days), time(10), tzinfo=UTC)


async def one_to_one(org, supervisor: User, supervisee: User, *, held_days_ago: int | None = None,
                     status: str = "held") -> UUID:
    agreement = SupervisionAgreement(
        organisation=org.id, kind="one_to_one", supervisor=supervisor.principal.account_id,
        supervisee=supervisee.principal.account_id, every_days=28, window_start=time(10), window_end=time(16),
        start_date=date.today() - timedelta(days=500))
    await agreement.save()
    if held_days_ago is not None:
        start = days_ago(held_days_ago)
        await SupervisionSession(organisation=org.id, agreement=agreement.id, supervisor=supervisor.principal.account_id,
                                 supervisee=supervisee.principal.account_id, start=start,
                                 end=start + timedelta(hours=1), status=status).save()
    return agreement.id


async def group_session(org, facilitator: User, attended: list[User], absent: list[User], days: int) -> None:
    group = SupervisionGroup(organisation=org.id, name="Group")
    await group.save()
    agreement = SupervisionAgreement(organisation=org.id, kind="group", supervisor=facilitator.principal.account_id,
                                     peer_group=group.id, every_days=28, window_start=time(10), window_end=time(16),
                                     start_date=date.today() - timedelta(days=500))
    await agreement.save()
    start = days_ago(days)
    session = SupervisionSession(organisation=org.id, agreement=agreement.id, supervisor=facilitator.principal.account_id,
                                 start=start, end=start + timedelta(hours=1), status="held")
    await session.save()
    for user, came in [(u, True) for u in attended] + [(u, False) for u in absent]:
        await GroupAttendance(session=session.id, account=user.principal.account_id, attended=came).save()


STAFF_HEADER = ("assignment_number,person_id,position_title,lived_experience_role,afc_band,team,start_date,"
                "end_date,leaving_reason,fte,line_manager_assignment_number")


def staff_row(number: str, employee: str, *, started: date, ended: date | None = None, lived_experience: bool = True,
              title: str = "Peer Support Worker", team: str = "Willow Ward", manager: str = "") -> str:
    """One assignments CSV row under STAFF_HEADER (line manager by assignment number)."""
    return (f"{number},{employee},{title},{'Y' if lived_experience else 'N'},4,{team},{started.isoformat()},"
            f"{ended.isoformat() if ended else ''},,,{manager}")


async def import_staff(org, *rows: str) -> None:
    """Staff records through HR's import (all rows must be good)."""
    report = await import_assignments(org.id, "\n".join([STAFF_HEADER, *rows]) + "\n")
    assert report.ok, report.errors


async def person_id(org, employee: str) -> UUID:
    row = await Person.select(Person.id).where((Person.organisation == org.id)
                                               & (Person.employee_number == employee)).first()
    return row["id"]


async def account_for(org, employee: str | None, name: str, role: str = "psw", email: str | None = None) -> User:
    """An account (with an API token) linked to the staff record with this employee number."""
    linked = await person_id(org, employee) if employee else None
    email = email or f"{name.lower().replace(' ', '.')}@{org.slug}.example"
    view = await accounts.create_account(org.id, email, [role], display_name=name, person_id=linked)
    issued = await accounts.issue_api_token(view.id, org.id)
    principal = await accounts.authenticate_token(issued.token)
    return User(principal=principal, token=issued.token, email=view.email)
