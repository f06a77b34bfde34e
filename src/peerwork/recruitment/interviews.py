"""Recruitment days and interview slots; applicants book through their private link.

The applicant and every panel member get an invite (one UID per application's interview,
SEQUENCE rising on each change, CANCEL when it is called off). The panel's invite names the
candidate by reference only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from peerwork.core.time import london
from peerwork.core.db import current_engine, is_postgres, transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound
from peerwork.recruitment.invites import release_slot, tell
from peerwork.recruitment.applications import by_token, status_link
from peerwork.recruitment.schemas import DayIn, SlotOut
from peerwork.recruitment.tables import Application, InterviewSlot, Vacancy
from peerwork.recruitment.vacancies import seat
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.time import now


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
    current = now()
    return [s for s in await slot_rows(vacancy_id) if s["booked"] < s["capacity"] and s["start"] > current]


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
        if slot["start"] <= now():
            raise Conflict("That slot has already started.")
        taken = await Application.count().where(Application.slot == slot_id)
        if taken >= slot["capacity"]:
            raise Conflict("Sorry, that slot has just been taken. Please choose another.")
        sequence = row["interview_sequence"] + 1 if row["slot"] is not None else row["interview_sequence"]
        await Application.update({Application.slot: slot_id, Application.booked_at: row["booked_at"] or now(),
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
        if not await release_slot(row):
            raise Conflict("Your interview has already taken place.")
        await audit.record(None, "update", "application", row["id"], organisation_id=row["organisation"],
                           fields=["slot"], via="applicant")
    return await by_token(token)


__all__ = ["status_link"]
