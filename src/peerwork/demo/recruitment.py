"""Demo recruitment at the trust, all through the recruitment services: a vacancy filled (panel,
applications, scores, shortlist, offer, hire) and one open with applications, some scored.

The applicants' addresses are on the reserved ``example.org`` domain; the service emails
them (to the outbox) as it would any applicant.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from peerwork.core.access import Principal
from peerwork.demo.people import DemoOrganisation, Staff
from peerwork.recruitment.history import import_rounds
from peerwork.recruitment.history_csv import template_csv
from peerwork.recruitment.applications import ApplicationForm, submit
from peerwork.recruitment.hiring import hire
from peerwork.recruitment.schemas import HireIn, PanelMemberIn, ScoreIn, VacancyIn
from peerwork.recruitment.scoring import decide, submit_scores
from peerwork.recruitment.tables import Vacancy
from peerwork.recruitment.lifecycle import set_status
from peerwork.recruitment.vacancies import add_panel_member, create_vacancy, declare_conflicts

APPLICANTS = ["Alex Morgan", "Bea Thompson", "Callum Reid", "Dana Osei", "Eshan Mistry", "Fiona Walsh",
              "Grace Adeyemi", "Harvey Cole", "Imani Clarke", "Jamie Lowe", "Kamala Rao"]
ANSWER = ("When I was unwell, a peer worker listened without judging me; I try to offer the same: "
          "I share what helped me only when it might help someone else.")


def _acting_as(org: DemoOrganisation, person: Staff, roles: set[str]) -> Principal:
    return Principal(account_id=person.account_id, organisation_id=org.view.id, organisation_slug=org.view.slug,
                     organisation_name=org.view.name, email="", display_name=person.name, roles=frozenset(roles),
                     person_id=person.person_id, via="system")


async def load_recruitment(org: DemoOrganisation, today: date) -> None:
    """The demo peer lead recruits, with the demo peer supervisor on the panel."""
    lead = next(iter(org.with_accounts("peer_lead")), None)
    supervisor = next(iter(org.with_accounts("supervisor")), None)
    if lead is None or supervisor is None:
        return
    # Rounds from before peerwork (2018: 217 applications for 6 posts), so the funnel's years
    # reach back; loading them again changes nothing.
    await import_rounds(org.view.id, template_csv())
    if await Vacancy.exists().where(Vacancy.organisation == org.view.id):
        return
    rng = random.Random(f"{org.slug}:recruitment")
    recruiter = _acting_as(org, lead, {"peer_lead"})
    panel = [(lead, True), (supervisor, True)]
    filled = await _vacancy(org, recruiter, panel, "Peer Support Worker, Crisis Resolution Team", today)
    applications = await _apply(org, filled, APPLICANTS[:6], "filled")
    await set_status(recruiter, filled, "closed")
    await _score(org, panel, applications, rng)
    ranked = applications  # in order of application; the first three go on
    for application in ranked[:3]:
        await decide(recruiter, application, "shortlist")
    for application in ranked[3:]:
        await decide(recruiter, application, "reject")
    await set_status(recruiter, filled, "interviewing")
    await decide(recruiter, ranked[0], "offer")
    await hire(recruiter, ranked[0], HireIn(start_date=today + timedelta(days=21), employee_number="NO-HIRE-1",
                                            supervisor_id=supervisor.account_id))

    still_open = await _vacancy(org, recruiter, panel, "Peer Support Worker, Early Intervention in Psychosis", today)
    applications = await _apply(org, still_open, APPLICANTS[6:], "open")
    await _score(org, panel, applications[:3], rng)


async def _vacancy(org: DemoOrganisation, recruiter: Principal, panel: list[tuple[Staff, bool]], title: str,
                   today: date):
    vacancy = await create_vacancy(recruiter, VacancyIn(
        title=title, closing_date=today + timedelta(days=21), afc_band="4",
        remit="Offer one-to-one and group peer support, drawing on your own lived experience of mental distress.",
        criteria="Lived experience of mental health difficulties and recovery; willingness to share it to help."))
    for person, lived in panel:
        await add_panel_member(recruiter, vacancy.id, PanelMemberIn(account_id=person.account_id,
                                                                   lived_experience=lived))
        await declare_conflicts(_acting_as(org, person, {person.role or "psw"}), vacancy.id, "")
    await set_status(recruiter, vacancy.id, "open")
    return vacancy.id


async def _apply(org: DemoOrganisation, vacancy_id, names: list[str], tag: str) -> list:
    from peerwork.recruitment.vacancies import public_vacancy

    _, vacancy = await public_vacancy(org.view.slug, vacancy_id)
    ids = []
    for name in names:
        email = f"{name.lower().replace(' ', '.')}@example.org"
        form = ApplicationForm(name=name, email=email, answers={v: ANSWER for v in vacancy["peer_values"]},
                               statement="I have used community mental health services and a crisis team.")
        ids.append((await submit(org.view.slug, vacancy_id, form, client=f"demo:{tag}:{email}")).application_id)
    return ids


async def _score(org: DemoOrganisation, panel: list[tuple[Staff, bool]], applications: list, rng: random.Random) -> None:
    from peerwork.recruitment.applications import application_seat

    for application in applications:
        for person, _ in panel:
            scorer = _acting_as(org, person, {person.role or "psw"})
            _, seat = await application_seat(scorer, application)
            await submit_scores(scorer, application, [ScoreIn(value=v, score=rng.randint(2, 5))
                                                      for v in seat.vacancy["peer_values"]])
