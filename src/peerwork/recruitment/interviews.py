"""Recruitment days and interview slots; applicants book through their private link.

The applicant and every panel member get an invite (one UID per application's interview,
SEQUENCE rising on each change, CANCEL when it is called off). The panel's invite names the
candidate by reference only.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr
from typing import Any
from uuid import UUID

from peerwork.community import ical
from peerwork.community.notify import when
from peerwork.community.recurrence import LONDON, london
from peerwork.db import current_engine, is_postgres, transaction
from peerwork.errors import Conflict, InvalidInput, NotFound
from peerwork.mail.outbox import enqueue
from peerwork.recruitment.applications import by_token, status_link
from peerwork.recruitment.schemas import DayIn, SlotOut
from peerwork.recruitment.tables import Application, InterviewSlot, Vacancy
from peerwork.recruitment.vacancies import panel_of, seat, utcnow
from peerwork.settings import current_settings
from peerwork.workforce import audit
from peerwork.workforce.access import Principal


def interview_uid(application_id: UUID) -> str:
    return f"interview-{application_id}@peerwork"


async def add_day(principal: Principal, vacancy_id: UUID, data: DayIn) -> list[SlotOut]:
    principal.require("recruitment:manage")
    found = await seat(principal, vacancy_id)
    if found.vacancy["status"] in ("draft", "filled", "withdrawn"):
        raise Conflict(f"The vacancy is {found.vacancy['status']}: no interviews can be arranged.")
    spans = []
    for index, slot in enumerate(data.slots):
        start, end = london(datetime.combine(data.day, slot.start)), london(datetime.combine(data.day, slot.end))
        if end <= start:
            raise InvalidInput(f"slots[{index}]: must end after it starts.")
        spans.append((start, end, slot.capacity))
    async with transaction():
        for start, end, capacity in spans:
            await InterviewSlot(organisation=principal.organisation_id, vacancy=vacancy_id, day=data.day,
                                location=data.location.strip(), start=start, end=end, capacity=capacity).save()
        await audit.record(principal, "create", "interview_slot", vacancy_id, slots=len(spans))
    return await list_slots(principal, vacancy_id)


async def slot_rows(vacancy_id: UUID) -> list[dict[str, Any]]:
    slots = await InterviewSlot.select().where(InterviewSlot.vacancy == vacancy_id).order_by(InterviewSlot.start)
    booked = await Application.select(Application.slot, Application.reference).where(
        (Application.vacancy == vacancy_id) & Application.slot.is_not_null())
    for s in slots:
        s["references"] = sorted(b["reference"] for b in booked if b["slot"] == s["id"])
        s["booked"] = len(s["references"])
    return slots


async def list_slots(principal: Principal, vacancy_id: UUID) -> list[SlotOut]:
    await seat(principal, vacancy_id)
    return [SlotOut(id=s["id"], day=s["day"], start=s["start"], end=s["end"], location=s["location"],
                    capacity=s["capacity"], booked=s["booked"], references=s["references"])
            for s in await slot_rows(vacancy_id)]


async def open_slots(vacancy_id: UUID) -> list[dict[str, Any]]:
    now = utcnow()
    return [s for s in await slot_rows(vacancy_id) if s["booked"] < s["capacity"] and s["start"] > now]


async def _lock_slot(slot_id: UUID) -> None:
    # SQLite's IMMEDIATE transaction already holds the one write lock.
    if is_postgres(current_engine()):
        await InterviewSlot.raw("SELECT id FROM interview_slot WHERE id = {} FOR UPDATE", slot_id)


async def book(token: str, slot_id: UUID) -> dict[str, Any]:
    """Book (or move to) a slot; Conflict when it is full or the application is not shortlisted."""
    row = await by_token(token)
    if row["status"] != "shortlisted":
        raise Conflict("Only a shortlisted application can book an interview.")
    if row["slot"] == slot_id:
        return row
    async with transaction():
        await _lock_slot(slot_id)
        slot = await InterviewSlot.select().where(
            (InterviewSlot.id == slot_id) & (InterviewSlot.vacancy == row["vacancy"])).first()
        if slot is None:
            raise NotFound("No such interview slot.")
        if slot["start"] <= utcnow():
            raise Conflict("That slot has already started.")
        taken = await Application.count().where(Application.slot == slot_id)
        if taken >= slot["capacity"]:
            raise Conflict("Sorry, that slot has just been taken. Please choose another.")
        sequence = row["interview_sequence"] + 1 if row["slot"] is not None else row["interview_sequence"]
        await Application.update({Application.slot: slot_id, Application.booked_at: row["booked_at"] or utcnow(),
                                  Application.interview_sequence: sequence}).where(Application.id == row["id"])
        await Vacancy.update({Vacancy.status: "interviewing"}).where(
            (Vacancy.id == row["vacancy"]) & Vacancy.status.is_in(["closed", "shortlisting"]))
        await audit.record(None, "update", "application", row["id"], organisation_id=row["organisation"],
                           fields=["slot"], via="applicant")
        await tell(row["id"], "REQUEST", "Interview booked" if row["slot"] is None else "Interview changed")
    return await by_token(token)


async def cancel_booking(token: str) -> dict[str, Any]:
    row = await by_token(token)
    if row["slot"] is None:
        raise Conflict("You have no interview booked.")
    async with transaction():
        await release_slot(row)
        await audit.record(None, "update", "application", row["id"], organisation_id=row["organisation"],
                           fields=["slot"], via="applicant")
    return await by_token(token)


async def release_slot(row: dict[str, Any]) -> None:
    """Free the application's slot and send everyone the cancellation (call inside a transaction)."""
    await Application.update({Application.interview_sequence: row["interview_sequence"] + 1}).where(
        Application.id == row["id"])
    await tell(row["id"], "CANCEL", "Interview cancelled")
    await Application.update({Application.slot: None}).where(Application.id == row["id"])


async def _context(application_id: UUID) -> dict[str, Any]:
    return await Application.select(
        Application.id, Application.organisation, Application.vacancy, Application.reference, Application.name,
        Application.email, Application.interview_sequence, Application.slot,
        Application.vacancy.title.as_alias("title"), Application.organisation.name.as_alias("organisation_name"),
        Application.slot.start.as_alias("start"), Application.slot.end.as_alias("end"),
        Application.slot.location.as_alias("location"),
    ).where(Application.id == application_id).first()


async def tell(application_id: UUID, method: str, subject: str) -> None:
    """Invite (REQUEST) or cancel (CANCEL) for the applicant and each panel member."""
    a = await _context(application_id)
    if a["start"] is None:
        return
    settings = current_settings()
    organizer = ical.Person(email=parseaddr(settings.mail_from)[1], name=a["organisation_name"])
    start = a["start"].astimezone(LONDON)
    people = [(a["email"], a["name"], True)] if a["email"] else []
    people += [(p["email"], p["name"], False) for p in await panel_of(a["vacancy"])]
    for email, name, applicant in people:
        summary = f"Interview: {a['title']}" + ("" if applicant else f" (candidate {a['reference']})")
        event = ical.CalEvent(
            uid=interview_uid(application_id), summary=summary, start=a["start"], end=a["end"], stamp=utcnow(),
            sequence=a["interview_sequence"], status="CANCELLED" if method == "CANCEL" else "CONFIRMED",
            location=a["location"] or None, private=True,
        )
        try:
            attendee = ical.Person(email=email, name=name)
        except ValueError:
            continue
        invite = ical.invite(method, event, organizer=organizer, attendee=attendee,
                             partstat="DECLINED" if method == "CANCEL" else "ACCEPTED")
        more = "" if not applicant else "\nSee or change it here (your private link was in our first email).\n"
        await enqueue(
            to_address=email, to_name=name, subject=f"{subject}: {summary}, {start:%a %-d %b %H:%M}",
            body_text=f"Hello {name},\n\n{subject}.\n\n{summary}\n{when(a['start'], a['end'])}\n"
                      f"{a['location'] or ''}\n{more}",
            calendar=(method, invite), organisation_id=a["organisation"],
            dedupe_key=f"interview:{application_id}:{a['interview_sequence']}:{email}:{method}",
        )


__all__ = ["status_link"]


async def panel_interview_events(account_id: UUID) -> list[ical.CalEvent]:
    """Interviews on the panels this person sits on, for their private calendar feed:
    CLASS:PRIVATE, the candidate by reference only."""
    from peerwork.recruitment.tables import PanelMember

    vacancy_ids = await PanelMember.select(PanelMember.vacancy).where(PanelMember.account == account_id).output(
        as_list=True)
    if not vacancy_ids:
        return []
    rows = await Application.select(
        Application.id, Application.reference, Application.interview_sequence, Application.booked_at,
        Application.vacancy.title.as_alias("title"), Application.slot.start.as_alias("start"),
        Application.slot.end.as_alias("end"), Application.slot.location.as_alias("location"),
    ).where(Application.vacancy.is_in(vacancy_ids) & Application.slot.is_not_null())
    return [ical.CalEvent(uid=interview_uid(r["id"]), summary=f"Interview: {r['title']} (candidate {r['reference']})",
                          start=r["start"], end=r["end"], stamp=r["booked_at"] or r["start"],
                          sequence=r["interview_sequence"], location=r["location"] or None, private=True)
            for r in rows]
