"""CPD compliance for a person or an organisation, its CSV export, and expiry reminders."""

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
from peerwork.core.tables import Account, Membership
from peerwork.workforce.tables import Assignment


async def _people(organisation_id: UUID, account_id: UUID | None) -> dict[UUID, dict[str, Any]]:
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
    return people


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
    """Every active person (or one), with each mandatory course's status and the day-one flag."""
    people = await _people(organisation_id, account_id)
    if not people:
        return []
    courses = await Course.select().where((Course.organisation == organisation_id) & (Course.active == True))
    records = await CpdRecord.select(CpdRecord.account, CpdRecord.course, CpdRecord.course.kind, CpdRecord.status,
                                     CpdRecord.done_on, CpdRecord.hours).where(
        (CpdRecord.organisation == organisation_id) & CpdRecord.account.is_in(list(people)))
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
    started = await start_dates(organisation_id, {p["person"] for p in people.values() if p["person"]}, today)
    within = (await policy(organisation_id)).induction_within_days
    out = []
    for account, p in sorted(people.items(), key=lambda kv: (kv[1]["name"].lower(), str(kv[0]))):
        mine = [c for c in courses if set(c["mandatory_roles"].split(",")) & p["roles"]]
        statuses = [course_status(str(c["id"]), c["title"], c["renewal_months"], last_done.get((account, c["id"])),
                                  booked.get((account, c["id"])), today) for c in mine]
        start = started.get(p["person"]) if p["person"] else None
        out.append(PersonCompliance(
            account_id=account, name=p["name"], roles=sorted(p["roles"]), started_on=start,
            induction_late=induction_late(start, inductions.get(account, []), within, today),
            courses=[CourseStatusOut(UUID(s.course_id), s.title, s.status, s.done_on, s.expires_on) for s in statuses],
            hours_12_months=hours.get(account, Decimal(0)),
        ))
    return out


async def organisation_compliance(principal: Principal, today: date | None = None) -> list[PersonCompliance]:
    principal.require("cpd:report")
    return await compliance(principal.organisation_id, today or date.today())


async def my_compliance(principal: Principal, today: date | None = None) -> PersonCompliance | None:
    principal.require("cpd:record")
    rows = await compliance(principal.organisation_id, today or date.today(), principal.account_id)
    return rows[0] if rows else None


CSV_COLUMNS = ["name", "roles", "started_on", "induction_late", "course", "status", "done_on", "expires_on",
               "cpd_hours_12_months"]


async def compliance_csv(principal: Principal, today: date | None = None) -> str:
    """One row per person and mandatory course (a person with none gets one row); audited."""
    rows = await organisation_compliance(principal, today)

    def lines():
        for p in rows:
            base = [p.name, " ".join(p.roles), p.started_on, "yes" if p.induction_late else "no"]
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
