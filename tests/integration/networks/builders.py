"""Two organisations in one network (and one outside it), built by hand so that every pooled
figure can be worked out on paper: see test_figures.py for the sums."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from peerwork.core.tables import Network
from peerwork.cpd.tables import RoleAcknowledgement
from peerwork.recruitment.tables import Application, Decision, Vacancy
from tests.development_helpers import did, make_course, make_employee, one_to_one
from tests.factories import make_org, make_user

# name -> (days before today the spell started, days it lasted or None if still in post)
NORTH = {"a1": (2500, None), "a2": (2000, None), "a3": (1600, 180), "a4": (1200, None), "a5": (900, 425),
         "a6": (300, None)}
SOUTH = {"b1": (2300, 274), "b2": (1500, None), "b3": (1130, 945), "b4": (760, None)}
IN_POST = ("a1", "a2", "a4", "a6", "b2", "b4")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


async def _staff(org, spells: dict, today: date) -> dict:
    people = {}
    for name, (ago, lasted) in spells.items():
        started = today - timedelta(days=ago)
        people[name] = await make_employee(org, name, started=started,
                                           ended=started + timedelta(days=lasted) if lasted is not None else None)
    return people


async def _vacancy(org, recruiter, today: date, opened_days_ago: int, posts: int, hired_after: list[int],
                   applications: int, decisions: list[bool]) -> None:
    opened = at(today - timedelta(days=opened_days_ago))
    vacancy = Vacancy(organisation=org.id, recruiter=recruiter.principal.account_id, title="Peer support worker",
                      posts=posts, closing_date=opened.date() + timedelta(days=30), status="open", opened_at=opened)
    await vacancy.save()
    made = []
    for number in range(applications):
        hired = opened + timedelta(days=hired_after[number]) if number < len(hired_after) else None
        application = Application(organisation=org.id, vacancy=vacancy.id, reference=f"C-{org.slug[:2]}{number:03d}",
                                  hired_at=hired, offered_at=hired, shortlisted_at=hired)
        await application.save()
        made.append(application)
    for number, compliant in enumerate(decisions):
        await Decision(organisation=org.id, vacancy=vacancy.id, application=made[number % len(made)].id,
                       kind="shortlist", compliant=compliant).save()


async def two_member_network(today: date) -> dict:
    north = await make_org("north", network="bay")
    south = await make_org("south", network="bay")
    east = await make_org("east", network="fen")
    people = {**await _staff(north, NORTH, today), **await _staff(south, SOUTH, today)}
    outsiders = await _staff(east, {"e1": (2000, None), "e2": (1000, 100)}, today)
    leads = {org.slug: await make_user(org, "peer_lead") for org in (north, south, east)}
    for org in (north, south, east):
        core = await make_course(org, "Core training", kind="core")
        for name, user in {**people, **outsiders}.items():
            if name in IN_POST and user.principal.organisation_id == org.id:
                await did(org, user, today - timedelta(days=100), core)
    # Role descriptions acknowledged: a1, a2, a4 in north, b2, b4 in south (and both in east).
    for name in ("a1", "a2", "a4", "b2", "b4"):
        user = people[name]
        await RoleAcknowledgement(organisation=user.principal.organisation_id, account=user.principal.account_id).save()
    for user in outsiders.values():
        await RoleAcknowledgement(organisation=east.id, account=user.principal.account_id).save()
    # 1:1 supervision held 10 days ago (on time) for a1, a2, a4, a6, b2; b4's last was 60 days ago.
    for name in ("a1", "a2", "a4", "a6", "b2", "b4"):
        org = north if name.startswith("a") else south
        await one_to_one(org, leads[org.slug], people[name], held_days_ago=60 if name == "b4" else 10)
    # Recruitment in the last 12 months: north 2 posts, 4 applications, hires after 20 and 30 days,
    # 3 of 4 decisions by compliant panels; south 3 posts, 6 applications, hires after 40, 50, 60
    # days, 4 of 4 compliant. North's vacancy of 500 days ago is outside the window.
    await _vacancy(north, leads["north"], today, 100, 2, [20, 30], 4, [True, True, True, False])
    await _vacancy(north, leads["north"], today, 500, 1, [10], 50, [False] * 6)
    await _vacancy(south, leads["south"], today, 50, 3, [40, 50, 60], 6, [True] * 4)
    await _vacancy(east, leads["east"], today, 30, 9, [5] * 9, 40, [False] * 9)
    bay = await Network.select(Network.id).where(Network.slug == "bay").first()
    fen = await Network.select(Network.id).where(Network.slug == "fen").first()
    return {"north": north, "south": south, "east": east, "people": people, "outsiders": outsiders, "leads": leads,
            "bay": bay["id"], "fen": fen["id"]}
