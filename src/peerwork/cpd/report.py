"""CPD compliance for a person or an organisation, its CSV export, and expiry reminders.

Who is listed: every active account with a role in the organisation, except one whose staff
record here says they have left (assignments in the organisation, all ended); and every person
in post today in a lived-experience role (from the staff records) who has no active account,
marked ``has_account=False``. CPD is recorded against accounts, so such a person has done
nothing yet as far as peerwork knows; they are held to the courses mandatory for the ``psw``
role (the role a lived-experience post has by default) until their account says otherwise.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from peerwork.core.mail.outbox import enqueue
from peerwork.core.settings import current_settings
from peerwork.core import audit
from peerwork.core.export import write_csv
from peerwork.core.access import Principal
from peerwork.cpd.records import policy
from peerwork.cpd.compliance import course_status, induction_late
from peerwork.cpd.schemas import CourseStatusOut, PersonCompliance
from peerwork.cpd.tables import Course, CpdRecord
from peerwork.core.tables import Account, Membership, Person
from peerwork.workforce.staff import people_in_post
from peerwork.workforce.tables import Assignment

NO_ACCOUNT_ROLE = "psw"  # whose mandatory courses apply to lived-experience staff with no account yet


async def _people(organisation_id: UUID, account_id: UUID | None, today: date) -> dict[UUID, dict[str, Any]]:
    """Active accounts with a role here, less (for the organisation's list, not for one's own
    record) those whose staff record here says they left."""
    condition = (Membership.organisation == organisation_id) & (Membership.account.is_active == True)
    if account_id is not None:
        condition &= Membership.account == account_id
    rows = await Membership.select(Membership.account, Membership.role, Membership.account.display_name,
                                   Membership.account.email, Membership.account.person).where(condition)
    people: dict[UUID, dict[str, Any]] = {}
    for r in rows:
        person = people.setdefault(r["account"], {"name": r["account.display_name"], "email": r["account.email"],
                                                  "person": r["account.person"], "roles": set()})
        person["roles"].add(r["role"])
    linked = list({p["person"] for p in people.values() if p["person"]})
    if linked and account_id is None:
        employed, staying = set(), set()
        for a in await Assignment.select(Assignment.person, Assignment.end_date).where(
                (Assignment.organisation == organisation_id) & Assignment.person.is_in(linked)):
            employed.add(a["person"])
            if a["end_date"] is None or a["end_date"] >= today:
                staying.add(a["person"])
        left = employed - staying
        people = {k: p for k, p in people.items() if p["person"] not in left}
    return people


async def _without_account(organisation_id: UUID, today: date) -> dict[UUID, dict[str, Any]]:
    """People in post today in a lived-experience role with no active account, by person id
    (someone whose only account was deactivated is listed here too, rather than not at all)."""
    staff = await people_in_post(organisation_id, today)
    if not staff:
        return {}
    staff -= set(await Account.select(Account.person).where(
        Account.person.is_in(list(staff)) & (Account.is_active == True)).output(as_list=True))  # noqa: E712
    if not staff:
        return {}
    rows = await Person.select(Person.id, Person.given_name, Person.family_name, Person.employee_number).where(
        Person.id.is_in(list(staff)))
    return {r["id"]: {"name": " ".join(n for n in (r["given_name"], r["family_name"]) if n)
                      or f"Employee {r['employee_number']}", "person": r["id"], "roles": set()} for r in rows}


async def start_dates(organisation_id: UUID, persons: set[UUID], today: date) -> dict[UUID, date]:
    """Each person's first day in their current employment (earliest assignment still open)."""
    if not persons:
        return {}
    rows = await Assignment.select(Assignment.person, Assignment.start_date).where(
        (Assignment.organisation == organisation_id) & Assignment.person.is_in(list(persons))
        & (Assignment.end_date.is_null() | (Assignment.end_date >= today)))
    started: dict[UUID, date] = {}
    for r in rows:
        if r["person"] not in started or r["start_date"] < started[r["person"]]:
            started[r["person"]] = r["start_date"]
    return started


async def compliance(organisation_id: UUID, today: date, account_id: UUID | None = None) -> list[PersonCompliance]:
    """Everyone listed (see the module docstring; or one account), with each mandatory course's
    status and the day-one flag."""
    people = await _people(organisation_id, account_id, today)
    unaccounted = await _without_account(organisation_id, today) if account_id is None else {}
    if not people and not unaccounted:
        return []
    courses = await Course.select().where((Course.organisation == organisation_id) & (Course.active == True))
    records = await CpdRecord.select(CpdRecord.account, CpdRecord.course, CpdRecord.course.kind, CpdRecord.status,
                                     CpdRecord.done_on, CpdRecord.hours).where(
        (CpdRecord.organisation == organisation_id) & CpdRecord.account.is_in(list(people))) if people else []
    last_done: dict[tuple[UUID, UUID], date] = {}
    booked: dict[tuple[UUID, UUID], date] = {}
    inductions: dict[UUID, list[date]] = {}
    hours: dict[UUID, Decimal] = {}
    year_ago = today - timedelta(days=365)
    for r in records:
        key = (r["account"], r["course"])
        if r["course.kind"] == "induction":
            inductions.setdefault(r["account"], []).append(r["done_on"])
        if r["status"] == "done":
            if r["course"] and (key not in last_done or r["done_on"] > last_done[key]):
                last_done[key] = r["done_on"]
            if r["done_on"] > year_ago:
                hours[r["account"]] = hours.get(r["account"], Decimal(0)) + Decimal(r["hours"])
        elif r["done_on"] >= today and r["course"]:
            booked[key] = min(booked.get(key, r["done_on"]), r["done_on"])
    persons = {p["person"] for p in people.values() if p["person"]} | set(unaccounted)
    started = await start_dates(organisation_id, persons, today)
    within = (await policy(organisation_id)).induction_within_days
    listed = [(account, p) for account, p in people.items()] + [(None, p) for p in unaccounted.values()]
    out = []
    for account, p in sorted(listed, key=lambda kv: (kv[1]["name"].lower(), str(kv[0] or kv[1]["person"]))):
        roles = p["roles"] if account is not None else {NO_ACCOUNT_ROLE}
        mine = [c for c in courses if set(c["mandatory_roles"].split(",")) & roles]
        statuses = [course_status(str(c["id"]), c["title"], c["renewal_months"], last_done.get((account, c["id"])),
                                  booked.get((account, c["id"])), today) for c in mine]
        start = started.get(p["person"]) if p["person"] else None
        out.append(PersonCompliance(
            account_id=account, name=p["name"], roles=sorted(p["roles"]), started_on=start,
            induction_late=induction_late(start, inductions.get(account, []) if account else [], within, today),
            courses=[CourseStatusOut(UUID(s.course_id), s.title, s.status, s.done_on, s.expires_on) for s in statuses],
            hours_12_months=hours.get(account, Decimal(0)) if account else Decimal(0),
            person_id=p["person"], has_account=account is not None,
        ))
    return out


async def organisation_compliance(principal: Principal, today: date | None = None) -> list[PersonCompliance]:
    principal.require("cpd:report")
    return await compliance(principal.organisation_id, today or date.today())


async def my_compliance(principal: Principal, today: date | None = None) -> PersonCompliance | None:
    principal.require("cpd:record")
    rows = await compliance(principal.organisation_id, today or date.today(), principal.account_id)
    return rows[0] if rows else None


CSV_COLUMNS = ["name", "has_account", "roles", "started_on", "induction_late", "course", "status", "done_on",
               "expires_on", "cpd_hours_12_months"]


async def compliance_csv(principal: Principal, today: date | None = None) -> str:
    """One row per person and mandatory course (a person with none gets one row); audited."""
    rows = await organisation_compliance(principal, today)

    def lines():
        for p in rows:
            base = [p.name, "yes" if p.has_account else "no account yet", " ".join(p.roles), p.started_on,
                    "yes" if p.induction_late else "no"]
            for c in p.courses or [None]:
                course = [c.title, c.status, c.done_on, c.expires_on] if c else ["", "", "", ""]
                yield [*base, *course, p.hours_12_months]

    body = write_csv(CSV_COLUMNS, lines())
    await audit.record(principal, "export", "cpd_record", None, fields=CSV_COLUMNS)
    return body


async def remind_expiring(organisation_id: UUID, today: date) -> int:
    """Email each person whose mandatory training expires in exactly the organisation's
    reminder lead time, or in 7 days (dedupe keys make a re-run send nothing twice)."""
    lead = (await policy(organisation_id)).remind_days_before
    sent = 0
    for p in await compliance(organisation_id, today):
        if p.account_id is None:
            continue  # no account yet: no address to write to, and nothing recorded to expire
        for c in p.courses:
            if c.expires_on is None or (c.expires_on - today).days not in (lead, 7):
                continue
            email = await Account.select(Account.email).where(Account.id == p.account_id).first()
            queued = await enqueue(
                to_address=email["email"], to_name=p.name,
                subject=f"Training expires {c.expires_on:%-d %B %Y}: {c.title}",
                body_text=f"Your {c.title} training expires on {c.expires_on:%-d %B %Y}. Please book a refresher.\n\n"
                          f"Your CPD record: {current_settings().site_url}/cpd\n",
                organisation_id=organisation_id,
                dedupe_key=f"cpd-expiry:{p.account_id}:{c.course_id}:{c.expires_on.isoformat()}:{(c.expires_on - today).days}",
            )
            sent += queued is not None
    return sent
