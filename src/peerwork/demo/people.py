"""The demo's organisations and staff: five years of assignments, names, accounts and logins.

Everyone comes in through the assignments import HR uses. Every lived-experience worker in
post then gets an account linked to their staff record (role from their post), except the two
newest starters at the trust, who are invited but have not signed in yet, so the pages that
mark "no account yet" have someone to mark.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from peerwork.accounts import mfa
from peerwork.core import accounts, audit, crypto
from peerwork.core.errors import Conflict, NotFound
from peerwork.core.tables import Account, Person
from peerwork.core.time import now
from peerwork.workforce.importer import import_assignments
from peerwork.workforce.organisations import OrganisationView, create_organisation, organisation_by_slug

DEMO_PASSWORD = "peer-support-demo"
# Admin and HR always need a second factor; the demo's share this authenticator key, printed
# with their logins so anyone trying the demo can add it to an app. Demo only: it is public.
DEMO_TOTP_SECRET = "PEERWORKDEMOONLYNOTASECRET234567"
NETWORK = "northfield-peer-network"

ORGANISATIONS = [
    {
        "slug": "northfield-nhs", "name": "Northfield Mental Health NHS Foundation Trust", "kind": "nhs_trust",
        "people": 60, "new_starters": 6, "domain": "northfield.example",
        "teams": ["Willow Ward", "Oak Ward", "Community Recovery Team North", "Crisis Resolution Team",
                  "Early Intervention in Psychosis"],
    },
    {
        "slug": "open-door", "name": "Open Door Peer Network", "kind": "vcse",
        "people": 20, "new_starters": 2, "domain": "opendoor.example",
        "teams": ["Recovery College", "Crisis Café", "Community Outreach"],
    },
]

PEER_ROLES = [  # (title, band, share of peer starters)
    ("Peer Support Worker", "4", 0.62),
    ("Senior Peer Support Worker", "5", 0.18),
    ("Peer Supervisor", "6", 0.12),
    ("Peer Lead", "7", 0.08),
]
ROLE_FOR_TITLE = {"Peer Support Worker": "psw", "Senior Peer Support Worker": "psw",
                  "Peer Supervisor": "supervisor", "Peer Lead": "peer_lead"}
OTHER_ROLES = [("Support Time Recovery Worker", "3"), ("Mental Health Nurse", "5"), ("Occupational Therapist", "6")]
LEAVING_REASONS = [
    "Voluntary Resignation - Promotion", "Voluntary Resignation - Work Life Balance",
    "Voluntary Resignation - Health", "End of Fixed Term Contract", "Voluntary Resignation - Relocation",
]
GIVEN = ["Amara", "Ben", "Chloe", "Dev", "Ellie", "Farah", "Gareth", "Hana", "Isaac", "Jas", "Kofi", "Leah",
         "Marek", "Nadia", "Owen", "Priya", "Rhys", "Sade", "Tom", "Una", "Vikram", "Wren", "Yusuf", "Zoe"]
FAMILY = ["Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones",
          "Khan", "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Taylor"]
# The people behind the documented demo logins keep their names (browser tests pick them).
FIXED_NAMES = {("northfield-nhs", 0): ("Ben", "Brown"), ("northfield-nhs", 1): ("Isaac", "Green"),
               ("northfield-nhs", 2): ("Priya", "Khan"), ("open-door", 0): ("Chloe", "Campbell"),
               ("open-door", 1): ("Jas", "Hughes"), ("open-door", 2): ("Rhys", "Lewis")}

DEMO_LOGINS = [  # (organisation, local part, role, employee index linked or None)
    ("northfield-nhs", "admin", "admin", None),
    ("northfield-nhs", "hr", "hr", None),
    ("northfield-nhs", "peer.lead", "peer_lead", 0),
    ("northfield-nhs", "supervisor", "supervisor", 1),
    ("northfield-nhs", "psw", "psw", 2),
    ("northfield-nhs", "network.lead", "network_lead", None),
    ("open-door", "admin", "admin", None),
    ("open-door", "psw", "psw", 2),
]
NEW_STARTER_DAYS = [40, 95, 150, 210, 12, 270]  # days ago
# Newest starters at the trust left without an account ("invited, not signed in yet").
WITHOUT_ACCOUNT = {"northfield-nhs": 2}


@dataclass
class Staff:
    """One person in the demo: their staff record, assignments and (if any) account."""

    index: int
    employee: str
    given: str
    family: str
    rows: list[list[str]]
    person_id: UUID | None = None
    account_id: UUID | None = None
    role: str | None = None  # the account's role

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def current(self) -> list[str] | None:
        """The assignment row in post today (lived experience or not), else None."""
        last = self.rows[-1]
        return last if not last[7] else None

    @property
    def in_lived_experience_post(self) -> bool:
        return self.current is not None and self.current[3] == "Y"

    @property
    def title(self) -> str:
        return self.rows[-1][2]

    @property
    def team(self) -> str:
        return self.rows[-1][5]

    @property
    def started(self) -> date:
        """The start of their (continuous) spell: the first assignment's start."""
        return date.fromisoformat(self.rows[0][6])


@dataclass
class DemoOrganisation:
    spec: dict
    view: OrganisationView
    staff: list[Staff] = field(default_factory=list)
    account_ids: list[UUID] = field(default_factory=list)  # every demo account here, logins too

    @property
    def slug(self) -> str:
        return self.spec["slug"]

    def with_accounts(self, *roles: str) -> list[Staff]:
        return [s for s in self.staff if s.account_id and (not roles or s.role in roles)]


def demo_names() -> dict[tuple[str, int], tuple[str, str]]:
    """(organisation, employee index) -> (given, family): unique, the same on every run, and
    given names taken in turn so no name crowds the lists."""
    rng = random.Random("peerwork demo names")
    given, family = rng.sample(GIVEN, len(GIVEN)), rng.sample(FAMILY, len(FAMILY))
    used = set(FIXED_NAMES.values())

    def candidates():
        for k in range(len(GIVEN) * len(FAMILY)):
            yield given[k % len(given)], family[(k + k // len(given)) % len(family)]

    pool = (c for c in candidates() if c not in used and not used.add(c))
    names = dict(FIXED_NAMES)
    for org in ORGANISATIONS:
        for i in range(org["people"] + org["new_starters"]):
            names.setdefault((org["slug"], i), next(pool))
    return names


def demo_staff(org: dict, today: date, seed: int) -> list[Staff]:
    """Each person's assignment rows (the import's columns), from a fixed seed and ``today``."""
    rng = random.Random(seed)
    names = demo_names()
    prefix = org["slug"][:2].upper()
    # The demo lead (person 0) manages the supervisor (person 1), who manages everyone else.
    lead_post, supervisor_post = f"{prefix}10001-1", f"{prefix}10002-1"
    fixed = {0: ("Peer Lead", "7"), 1: ("Peer Supervisor", "6"), 2: ("Peer Support Worker", "4")}
    people = []
    for i in range(org["people"]):
        employee = f"{prefix}{10001 + i}"
        rows: list[list[str]] = []
        team = rng.choice(org["teams"])
        # The first three people are the demo lead, supervisor and PSW: in post, peer roles.
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
            rows.append([f"{employee}-{number}", employee, title, "Y", band, team, start.isoformat(),
                         (moved - timedelta(days=1)).isoformat(), "Internal move", fte, manager])
            number += 1
            start, title, band = moved, "Senior Peer Support Worker", "5"
        end, reason = "", ""
        if i not in fixed and rng.random() < 0.3 and (today - start).days > 90:
            left = start + timedelta(days=rng.randint(60, (today - start).days - 1))
            end, reason = left.strftime("%d/%m/%Y"), rng.choice(LEAVING_REASONS)
        rows.append([f"{employee}-{number}", employee, title, "Y" if peer else "N", band, team,
                     start.isoformat(), end, reason, fte, manager])
        given, family = names[(org["slug"], i)]
        people.append(Staff(i, employee, given, family, rows))
    # This year's new starters, peer support workers (for pairing, induction, new accounts).
    for n, days in enumerate(NEW_STARTER_DAYS[:org["new_starters"]]):
        i = org["people"] + n
        employee = f"{prefix}{10001 + i}"
        start = today - timedelta(days=days)
        row = [f"{employee}-1", employee, "Peer Support Worker", "Y", "4", org["teams"][n % len(org["teams"])],
               start.isoformat(), "", "", "1", supervisor_post]
        given, family = names[(org["slug"], i)]
        people.append(Staff(i, employee, given, family, [row]))
    return people


def demo_csv(staff: list[Staff]) -> str:
    """The assignments CSV HR would import for these people."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["assignment_number", "person_id", "position_title", "lived_experience_role", "afc_band",
                     "team", "start_date", "end_date", "leaving_reason", "fte", "line_manager_assignment_number"])
    for person in staff:
        writer.writerows(person.rows)
    return out.getvalue()


def email_for(org: dict, person: Staff) -> str:
    for slug, local, _, linked in DEMO_LOGINS:
        if slug == org["slug"] and linked == person.index:
            return f"{local}@{org['domain']}"
    return f"{person.given}.{person.family}@{org['domain']}".lower()


async def load_organisation(org: dict, today: date, seed: int) -> DemoOrganisation:
    """The organisation and its staff records (imported once); ``staff`` carries their ids."""
    try:
        view = await organisation_by_slug(org["slug"])
    except NotFound:
        view = await create_organisation(org["slug"], org["name"], kind=org["kind"], network=NETWORK)
    staff = demo_staff(org, today, seed)
    if not await Person.exists().where(Person.organisation == view.id):
        await import_assignments(view.id, demo_csv(staff))
        for person in staff:
            await Person.update({Person.given_name: person.given, Person.family_name: person.family}).where(
                (Person.organisation == view.id) & (Person.employee_number == person.employee))
    ids = {r["employee_number"]: r["id"] for r in await Person.select(Person.id, Person.employee_number).where(
        Person.organisation == view.id)}
    for person in staff:
        person.person_id = ids.get(person.employee)
    return DemoOrganisation(org, view, staff)


def who_gets_accounts(org: DemoOrganisation) -> list[Staff]:
    """Every lived-experience worker in post, but the newest starters named in WITHOUT_ACCOUNT."""
    in_post = [s for s in org.staff if s.in_lived_experience_post]
    linked = {i for slug, _, _, i in DEMO_LOGINS if slug == org.slug and i is not None}
    newest = sorted((s for s in in_post if s.index not in linked), key=lambda s: (s.started, s.index), reverse=True)
    left_out = {s.index for s in newest[:WITHOUT_ACCOUNT.get(org.slug, 0)]}
    return [s for s in in_post if s.index not in left_out]


async def load_accounts(org: DemoOrganisation) -> list[tuple[str, str, str, str, str | None]]:
    """Accounts for the staff and the documented logins (each once); returns the logins."""
    spec, view = org.spec, org.view
    existing = {r["email"]: r["id"] for r in await Account.select(Account.email, Account.id).where(
        Account.email.like(f"%@{spec['domain']}"))}

    async def ensure(email: str, role: str, name: str, person_id: UUID | None) -> UUID:
        if email in existing:
            return existing[email]
        try:
            existing[email] = (await accounts.create_account(view.id, email, [role], display_name=name,
                                                             person_id=person_id)).id
        except Conflict:  # created meanwhile by another run
            existing[email] = (await Account.select(Account.id).where(Account.email == email).first())["id"]
        return existing[email]

    for person in who_gets_accounts(org):
        person.role = next((r for s, _, r, i in DEMO_LOGINS if s == org.slug and i == person.index),
                           ROLE_FOR_TITLE[person.title])
        person.account_id = await ensure(email_for(spec, person), person.role, person.name, person.person_id)
    logins = []
    for slug, local, role, linked in DEMO_LOGINS:
        if slug != org.slug:
            continue
        email = f"{local}@{spec['domain']}"
        if linked is None:
            await ensure(email, role, f"Demo {role.replace('_', ' ')}", None)
        key = None
        if role in accounts.ROLES_NEEDING_MFA:
            await enrol_demo_authenticator(email, view.id)
            key = DEMO_TOTP_SECRET
        logins.append((slug, email, role, DEMO_PASSWORD, key))
    org.account_ids = list(existing.values())
    return logins


async def set_demo_passwords(account_ids: list[UUID]) -> None:
    """Every demo account without a password gets the demo password. It is hashed once, through
    the accounts service, and that hash is shared: hashing is deliberately slow (about 0.1 s),
    and fifty separate hashes of one public password would buy nothing."""
    missing = await Account.select(Account.id).where(
        Account.id.is_in(account_ids) & Account.password_hash.is_null()).output(as_list=True) if account_ids else []
    if not missing:
        return
    await accounts.set_password(missing[0], DEMO_PASSWORD)
    row = await Account.select(Account.password_hash, Account.password_changed_at).where(
        Account.id == missing[0]).first()
    if len(missing) > 1:
        await Account.update({Account.password_hash: row["password_hash"],
                              Account.password_changed_at: row["password_changed_at"]}).where(
            Account.id.is_in(missing[1:]))


async def enrol_demo_authenticator(email: str, organisation_id: UUID) -> None:
    """Two-step sign-in on for a demo login, with the published demo key (once)."""
    enabled = await Account.update({
        Account.totp_secret: crypto.encrypt(DEMO_TOTP_SECRET, purpose=mfa.TOTP_PURPOSE),
        Account.totp_enabled_at: now(), Account.totp_last_step: None,
    }).where((Account.email == email) & Account.totp_enabled_at.is_null()).returning(Account.id)
    for row in enabled:
        await audit.record(None, "mfa_enable", "account", row["id"], organisation_id=organisation_id,
                           method="demo_key")
