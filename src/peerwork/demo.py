"""Demo data: an NHS trust and a VCSE partner in one network, ~80 people over five years.

Deterministic (seeded), loaded through the same import HR uses, and safe to re-run: a second
run changes nothing and prints the same logins.

Most people have a staff record and no account, as in a real organisation after HR's first
import: the seven supports, compliance and pairing count them all (36 lived-experience staff
in post at the NHS trust, 13 at the VCSE) and mark who has no account yet. The import carries
line managers: the demo peer supervisor manages everyone but the peer lead, who manages the
supervisor; the supervisor has done the managers' course, so "support for their managers" is
measured for imported staff without accounts.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, time, timedelta
from uuid import UUID

from peerwork.core.errors import Conflict, NotFound
from peerwork.accounts import mfa
from peerwork.core import accounts, audit, crypto
from peerwork.core.time import now
from peerwork.workforce.importer import import_assignments
from peerwork.workforce.organisations import create_organisation, organisation_by_slug
from peerwork.core.tables import Account, Person

DEMO_PASSWORD = "peer-support-demo"
# Admin and HR always need a second factor; the demo's share this authenticator key, printed
# with their logins so anyone trying the demo can add it to an app. Demo only: it is public.
DEMO_TOTP_SECRET = "PEERWORKDEMOONLYNOTASECRET234567"
NETWORK = "northfield-peer-network"

ORGANISATIONS = [
    {
        "slug": "northfield-nhs", "name": "Northfield Mental Health NHS Foundation Trust", "kind": "nhs_trust",
        "people": 60, "domain": "northfield.example",
        "teams": ["Willow Ward", "Oak Ward", "Community Recovery Team North", "Crisis Resolution Team",
                  "Early Intervention in Psychosis"],
    },
    {
        "slug": "open-door", "name": "Open Door Peer Network", "kind": "vcse",
        "people": 20, "domain": "opendoor.example",
        "teams": ["Recovery College", "Crisis Café", "Community Outreach"],
    },
]

PEER_ROLES = [  # (title, band, share of peer starters)
    ("Peer Support Worker", "4", 0.62),
    ("Senior Peer Support Worker", "5", 0.18),
    ("Peer Supervisor", "6", 0.12),
    ("Peer Lead", "7", 0.08),
]
OTHER_ROLES = [("Support Time Recovery Worker", "3"), ("Mental Health Nurse", "5"), ("Occupational Therapist", "6")]
LEAVING_REASONS = [
    "Voluntary Resignation - Promotion", "Voluntary Resignation - Work Life Balance",
    "Voluntary Resignation - Health", "End of Fixed Term Contract", "Voluntary Resignation - Relocation",
]
GIVEN = ["Amara", "Ben", "Chloe", "Dev", "Ellie", "Farah", "Gareth", "Hana", "Isaac", "Jas", "Kofi", "Leah",
         "Marek", "Nadia", "Owen", "Priya", "Rhys", "Sade", "Tom", "Una", "Vikram", "Wren", "Yusuf", "Zoe"]
FAMILY = ["Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones",
          "Khan", "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Taylor"]

DEMO_LOGINS = [  # (organisation, local part, role, employee index linked or None)
    ("northfield-nhs", "admin", "admin", None),
    ("northfield-nhs", "hr", "hr", None),
    ("northfield-nhs", "peer.lead", "peer_lead", 0),
    ("northfield-nhs", "supervisor", "supervisor", 1),
    ("northfield-nhs", "psw", "psw", 2),
    ("open-door", "admin", "admin", None),
    ("open-door", "psw", "psw", 2),
]


def demo_csv(org: dict, today: date, seed: int) -> tuple[str, list[tuple[str, str, str]]]:
    """Assignments CSV for one organisation, and (employee number, given, family) for each person."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["assignment_number", "person_id", "position_title", "lived_experience_role", "afc_band",
                     "team", "start_date", "end_date", "leaving_reason", "fte", "line_manager_assignment_number"])
    names = []
    prefix = org["slug"][:2].upper()
    # The demo lead (person 0) manages the supervisor (person 1), who manages everyone else.
    lead_post, supervisor_post = f"{prefix}10001-1", f"{prefix}10002-1"
    for i in range(org["people"]):
        employee = f"{prefix}{10001 + i}"
        names.append((employee, GIVEN[(i * 7 + seed) % len(GIVEN)], FAMILY[(i * 5 + seed) % len(FAMILY)]))
        team = rng.choice(org["teams"])
        # The first three people are the demo lead, supervisor and PSW: in post, peer roles.
        fixed = {0: ("Peer Lead", "7"), 1: ("Peer Supervisor", "6"), 2: ("Peer Support Worker", "4")}
        start = today - timedelta(days=rng.randint(30, 5 * 365))
        peer = i in fixed or rng.random() < 0.8
        if i in fixed:
            title, band = fixed[i]
        elif peer:
            title, band = rng.choices([(t, b) for t, b, _ in PEER_ROLES], weights=[w for *_, w in PEER_ROLES])[0]
        else:
            title, band = rng.choice(OTHER_ROLES)
        fte = rng.choice(["1", "1", "0.8", "0.6", "0.5"])
        manager = "" if i == 0 else lead_post if i == 1 else supervisor_post
        number = 1
        # Some peers move up (a new assignment the day after) - the spell continues.
        if peer and i not in fixed and title == "Peer Support Worker" and rng.random() < 0.25 and (today - start).days > 500:
            moved = start + timedelta(days=rng.randint(365, (today - start).days - 60))
            writer.writerow([f"{employee}-{number}", employee, title, "Y", band, team, start.isoformat(),
                             (moved - timedelta(days=1)).isoformat(), "Internal move", fte, manager])
            number += 1
            start, title, band = moved, "Senior Peer Support Worker", "5"
        end, reason = "", ""
        if i not in fixed and rng.random() < 0.3 and (today - start).days > 90:
            left = start + timedelta(days=rng.randint(60, (today - start).days - 1))
            end, reason = left.strftime("%d/%m/%Y"), rng.choice(LEAVING_REASONS)
        writer.writerow([f"{employee}-{number}", employee, title, "Y" if peer else "N", band, team,
                         start.isoformat(), end, reason, fte, manager])
    return out.getvalue(), names


DEMO_SERIES = [  # (organisation, kind, title, rrule, start, end, capacity, place, visibility)
    ("northfield-nhs", "co_reflection", "Monthly co-reflection", "FREQ=MONTHLY;BYDAY=1TU", time(13), time(14, 30), 12,
     "Training Room 2, Oak House", "organisation"),
    ("northfield-nhs", "social_drop_in", "Social drop-in", "FREQ=MONTHLY;BYDAY=3TH", time(12), time(13, 30), 20,
     "The Hub café, Willow site", "organisation"),
    ("northfield-nhs", "debrief", "Daily debrief", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", time(16, 30), time(17), 8,
     "Online (Teams link in the invite)", "organisation"),
    ("northfield-nhs", "development_day", "Peer development day", "FREQ=MONTHLY;INTERVAL=6;BYDAY=2WE",
     time(9, 30), time(16), 40, "Northfield Conference Centre", "organisation"),
    ("open-door", "network_meeting", "Peer network meeting", "FREQ=MONTHLY;BYDAY=4WE", time(10), time(12), 30,
     "Open Door Community Hall", "network"),
]


async def load_demo_series(today: date) -> None:
    from peerwork.community.schemas import SeriesIn
    from peerwork.community.series import create_series
    from peerwork.community.tables import EventSeries
    from peerwork.core.access import system_principal

    for slug, kind, title, rule, start, end, capacity, place, visibility in DEMO_SERIES:
        org = await organisation_by_slug(slug)
        if await EventSeries.exists().where((EventSeries.organisation == org.id) & (EventSeries.title == title)):
            continue
        await create_series(system_principal(org.id, org.slug, org.name), SeriesIn(
            kind=kind, title=title, rrule=rule, start_date=today, start_time=start, end_time=end,
            capacity=capacity, location=place, visibility=visibility,
        ))


DEMO_COURSES = [  # (title, hours, provider, kind, mandatory for, renewal months)
    ("Induction", "7", "Northfield Learning and Development", "induction", "psw,peer_lead,supervisor", None),
    ("Peer support core training", "30", "Recovery College", "core", "psw", 36),
    ("Safeguarding adults level 2", "3", "Northfield Learning and Development", "other", "psw,peer_lead,supervisor", 36),
    ("Supervision skills for managers", "12", "Peer Leadership Academy", "manager", "peer_lead,supervisor", None),
]


async def load_demo_courses(today: date) -> None:
    """The demo trust's course catalogue, and the demo supervisor's managers' course (once)."""
    from decimal import Decimal

    from peerwork.cpd.tables import Course, CpdRecord

    org = await organisation_by_slug("northfield-nhs")
    for title, hours, provider, kind, roles, renewal in DEMO_COURSES:
        if not await Course.exists().where((Course.organisation == org.id) & (Course.title == title)):
            await Course(organisation=org.id, title=title, hours=Decimal(hours), provider=provider, kind=kind,
                         mandatory_roles=roles, renewal_months=renewal).save()
    course = await Course.select(Course.id, Course.title, Course.hours).where(
        (Course.organisation == org.id) & (Course.kind == "manager")).first()
    supervisor = await Account.select(Account.id).where(Account.email == "supervisor@northfield.example").first()
    if course and supervisor and not await CpdRecord.exists().where(
            (CpdRecord.account == supervisor["id"]) & (CpdRecord.course == course["id"])):
        await CpdRecord(organisation=org.id, account=supervisor["id"], course=course["id"], activity=course["title"],
                        done_on=today - timedelta(days=200), hours=course["hours"], status="done").save()


async def enrol_demo_authenticator(email: str, organisation_id: UUID) -> None:
    """Two-step sign-in on for a demo login, with the published demo key (once)."""
    enabled = await Account.update({
        Account.totp_secret: crypto.encrypt(DEMO_TOTP_SECRET, purpose=mfa.TOTP_PURPOSE),
        Account.totp_enabled_at: now(), Account.totp_last_step: None,
    }).where((Account.email == email) & Account.totp_enabled_at.is_null()).returning(Account.id)
    for row in enabled:
        await audit.record(None, "mfa_enable", "account", row["id"], organisation_id=organisation_id,
                           method="demo_key")


async def load_demo(today: date | None = None) -> list[tuple[str, str, str, str, str | None]]:
    """Create (or refresh) the demo; returns (organisation, email, role, password, authenticator
    key or None) per login."""
    today = today or date.today()
    logins = []
    for seed, org in enumerate(ORGANISATIONS, start=1):
        try:
            view = await organisation_by_slug(org["slug"])
        except NotFound:
            view = await create_organisation(org["slug"], org["name"], kind=org["kind"], network=NETWORK)
        text, names = demo_csv(org, today, seed)
        if not await Person.exists().where(Person.organisation == view.id):
            await import_assignments(view.id, text)
            for employee, given, family in names:
                await Person.update({Person.given_name: given, Person.family_name: family}).where(
                    (Person.organisation == view.id) & (Person.employee_number == employee)
                )
        for slug, local, role, linked in DEMO_LOGINS:
            if slug != org["slug"]:
                continue
            email = f"{local}@{org['domain']}"
            person_id = None
            if linked is not None:
                person_id = await Person.select(Person.id).where(
                    (Person.organisation == view.id) & (Person.employee_number == names[linked][0])
                ).first()
                person_id = person_id["id"] if person_id else None
            name = " ".join(names[linked][1:]) if linked is not None else f"Demo {role.replace('_', ' ')}"
            if not await Account.exists().where(Account.email == email):
                try:
                    await accounts.create_account(view.id, email, [role], display_name=name, password=DEMO_PASSWORD,
                                                  person_id=person_id)
                except Conflict:
                    pass
            key = None
            if role in accounts.ROLES_NEEDING_MFA:
                await enrol_demo_authenticator(email, view.id)
                key = DEMO_TOTP_SECRET
            logins.append((org["slug"], email, role, DEMO_PASSWORD, key))
    await load_demo_series(today)
    await load_demo_courses(today)
    return logins
