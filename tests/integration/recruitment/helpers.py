"""Builders for recruitment tests: a vacancy with a panel, applications through the public service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from peerwork.recruitment import applications, lifecycle, vacancies
from peerwork.recruitment.applications import ApplicationForm
from peerwork.recruitment.schemas import PanelMemberIn, VacancyIn
from tests.factories import User, make_org, make_user

VALUES = ["Mutuality", "Hope"]


@dataclass
class Round:
    org: object
    recruiter: User
    le_scorer: User  # panel, lived-experience role
    scorer: User  # panel, not lived-experience
    other_lead: User  # recruitment:manage, but neither recruiter nor panel
    hr: User
    psw: User  # not on the panel
    vacancy_id: UUID


async def make_round(*, declare: bool = True, lived_experience: bool = True, values: list[str] | None = None) -> Round:
    org = await make_org("north")
    recruiter = await make_user(org, "peer_lead", email="recruiter@north.example")
    le_scorer = await make_user(org, "psw", email="le.scorer@north.example")
    scorer = await make_user(org, "supervisor", email="scorer@north.example")
    other_lead = await make_user(org, "peer_lead", email="other.lead@north.example")
    hr = await make_user(org, "hr")
    psw = await make_user(org, "psw", email="bystander@north.example")
    made = await vacancies.create_vacancy(recruiter.principal, VacancyIn(
        title="Peer Support Worker", closing_date=date.today() + timedelta(days=14), posts=2, afc_band="4",
        values=values or VALUES))
    for user, le in ((le_scorer, lived_experience), (scorer, False)):
        await vacancies.add_panel_member(recruiter.principal, made.id, PanelMemberIn(
            account_id=user.principal.account_id, lived_experience=le))
        if declare:
            await vacancies.declare_conflicts(user.principal, made.id, "")
    await lifecycle.set_status(recruiter.principal, made.id, "open")
    return Round(org, recruiter, le_scorer, scorer, other_lead, hr, psw, made.id)


async def apply(r: Round, name: str = "Alex Applicant", *, client: str = "10.0.0.1", equality=None,
                statement: str = "I have lived with psychosis.") -> applications.Submitted:
    vacancy = await vacancies.load_vacancy(r.org.id, r.vacancy_id)
    return await applications.submit(r.org.slug, r.vacancy_id, ApplicationForm(
        name=name, email=f"{name.split()[0].lower()}@applicant.example", phone="07700 900000",
        answers={v: f"My answer about {v}" for v in vacancy["peer_values"]}, statement=statement,
        adjustments="A quiet room", equality=equality or {}), client=client)
