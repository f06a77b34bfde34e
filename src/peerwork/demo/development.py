"""Demo development: each organisation's course catalogue (made by the CPD service), years of
CPD records with some mandatory training expiring soon or expired, role-description
acknowledgements, and buddy pairs for new starters (confirmed through the pairing service).

CPD records and acknowledgements are each person's own entries over five years; they are
inserted in one statement each, shaped as ``record_cpd`` and ``acknowledge`` save them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from peerwork.core.access import Principal, system_principal
from peerwork.cpd.compliance import EXPIRING_WITHIN_DAYS, add_months
from peerwork.cpd.records import create_course
from peerwork.cpd.schemas import CourseIn
from peerwork.cpd.tables import Course, CpdRecord, RoleAcknowledgement
from peerwork.demo.people import DemoOrganisation, Staff
from peerwork.pairing.schemas import PairIn
from peerwork.pairing.service import confirm_pair, suggestions
from peerwork.pairing.tables import Pair

DEMO_COURSES = [  # (title, hours, provider, kind, mandatory for, renewal months)
    ("Induction", "7", "Learning and Development", "induction", ["psw", "peer_lead", "supervisor"], None),
    ("Peer support core training", "30", "Recovery College", "core", ["psw"], 36),
    ("Safeguarding adults level 2", "3", "Learning and Development", "other", ["psw", "peer_lead", "supervisor"], 36),
    ("Supervision skills for managers", "12", "Peer Leadership Academy", "manager", ["peer_lead", "supervisor"],
     None),
]
OTHER_CPD = [("Hearing Voices Network workshop", "3.5"), ("Trauma-informed practice webinar", "1.5"),
             ("Suicide prevention (Zero Suicide Alliance)", "1"), ("WRAP facilitator refresher", "6"),
             ("Peer support conference", "7")]
UNPAIRED_NEW_STARTERS = {"northfield-nhs": 1}  # left for a peer lead to pair


async def load_courses(org: DemoOrganisation) -> dict[str, dict]:
    """The catalogue (once); returns it by kind and title."""
    principal = system_principal(org.view.id, org.view.slug, org.view.name)
    have = {r["title"] for r in await Course.select(Course.title).where(Course.organisation == org.view.id)}
    for title, hours, provider, kind, roles, renewal in DEMO_COURSES:
        if title not in have:
            await create_course(principal, CourseIn(title=title, hours=Decimal(hours), provider=provider, kind=kind,
                                                    mandatory_for=roles, renewal_months=renewal))
    return {r["title"]: r for r in await Course.select().where(Course.organisation == org.view.id)}


def training_dates(rng: random.Random, started: date, renewal_months: int, today: date) -> list[date]:
    """When someone did a course that must be renewed: first soon after starting, then again
    each time before it ran out; but one in five let it lapse (expired), and one in five
    last did it so long ago that it runs out within the warning window (expiring)."""
    done = [started + timedelta(days=rng.randint(14, 90))]
    fate = rng.random()
    while (due := add_months(done[-1], renewal_months)) <= today:
        if fate < 0.2:
            break  # lapsed
        done.append(due - timedelta(days=rng.randint(0, 30)))
    if fate > 0.8:
        last = add_months(today + timedelta(days=rng.randint(5, EXPIRING_WITHIN_DAYS - 5)), -renewal_months)
        earlier = [d for d in done[:-1] if d < last]
        if last > started:
            done = [*earlier, last]
    return [d for d in done if d <= today]


def records_for(rng: random.Random, org: DemoOrganisation, person: Staff, courses: dict[str, dict],
                today: date) -> list[CpdRecord]:
    rows: list[CpdRecord] = []

    def add(course: dict | None, activity: str, day: date, hours: str | Decimal, status: str = "done") -> None:
        rows.append(CpdRecord(organisation=org.view.id, account=person.account_id,
                              course=course["id"] if course else None, activity=activity, done_on=day,
                              hours=Decimal(str(hours)), status=status))

    induction = courses["Induction"]
    recent = (today - person.started).days < 60
    first_day = person.started + timedelta(days=rng.randint(0, 10))
    add(induction, induction["title"], first_day, induction["hours"],
        "booked" if first_day > today or (recent and rng.random() < 0.5) else "done")
    for title in ("Peer support core training", "Safeguarding adults level 2"):
        course = courses[title]
        if person.role != "psw" and course["kind"] == "core":
            continue
        for day in training_dates(rng, person.started, course["renewal_months"], today):
            add(course, course["title"], day, course["hours"])
    if person.role in ("supervisor", "peer_lead"):
        manager = courses["Supervision skills for managers"]
        add(manager, manager["title"], max(person.started, today - timedelta(days=900)) + timedelta(days=30),
            manager["hours"])
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        activity, hours = rng.choice(OTHER_CPD)
        add(None, activity, today - timedelta(days=rng.randint(10, 600)), hours)
    if rng.random() < 0.2:
        activity, hours = rng.choice(OTHER_CPD)
        add(None, activity, today + timedelta(days=rng.randint(7, 60)), hours, "booked")
    return [r for r in rows if r.done_on >= person.started]


async def load_cpd(org: DemoOrganisation, today: date) -> None:
    courses = await load_courses(org)
    people = org.with_accounts()
    if not people or await CpdRecord.exists().where(CpdRecord.account.is_in([p.account_id for p in people])):
        return
    rng = random.Random(f"{org.slug}:cpd")
    records = [r for person in people for r in records_for(rng, org, person, courses, today)]
    if records:
        await CpdRecord.insert(*records)
    acknowledgements = [RoleAcknowledgement(organisation=org.view.id, account=p.account_id)
                        for p in people if rng.random() < 0.75]
    if acknowledgements:
        await RoleAcknowledgement.insert(*acknowledgements)


async def load_pairs(org: DemoOrganisation, today: date) -> None:
    """Pair the organisation's new starters as a peer lead would: take the suggestions and
    confirm them (all but one, left for a peer lead to do)."""
    if await Pair.exists().where(Pair.organisation == org.view.id):
        return
    lead = next(iter(org.with_accounts("peer_lead")), None)
    if lead is None:
        return
    # A pair records who confirmed it: the organisation's (first) peer lead.
    principal = Principal(account_id=lead.account_id, organisation_id=org.view.id, organisation_slug=org.view.slug,
                          organisation_name=org.view.name, email="", display_name=lead.name,
                          roles=frozenset({"peer_lead"}), person_id=lead.person_id, via="system")
    found = (await suggestions(principal, "new_starters", today)).suggestions
    for n, suggestion in enumerate(found):
        if n >= len(found) - UNPAIRED_NEW_STARTERS.get(org.slug, 0):
            break
        await confirm_pair(principal, PairIn(new_peer_id=suggestion.new_peer_id,
                                             experienced_peer_id=suggestion.experienced_peer_id,
                                             purpose="buddy"), today)
