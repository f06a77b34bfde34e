"""What people are told about their bookings, as outbox emails with calendar invites.

Called inside the transaction that made the change, so the change and its message commit
together. Each attendee's invite uses one UID per occurrence and their booking's SEQUENCE,
which rises with every change they are told about.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any
from uuid import UUID

from peerwork.calendar import ical
from peerwork.calendar.feeds import forget_fingerprints
from peerwork.core.time import LONDON
from peerwork.community.tables import Booking, Occurrence
from peerwork.core.mail.outbox import enqueue
from peerwork.core.time import when
from peerwork.core.settings import current_settings


def occurrence_uid(occurrence_id: UUID) -> str:
    return f"occurrence-{occurrence_id}@peerwork"


def booking_contexts():
    """A query for bookings with everything an email or calendar entry needs, in one round trip."""
    return Booking.select(
        Booking.id, Booking.account, Booking.status, Booking.sequence, Booking.updated_at, Booking.queue_position,
        Booking.occurrence, Booking.account.email, Booking.account.display_name, Booking.organisation,
        Booking.occurrence.start, Booking.occurrence.end, Booking.occurrence.updated_at,
        Booking.occurrence.location, Booking.occurrence.original_start,
        Booking.occurrence.series.title, Booking.occurrence.series.description,
        Booking.occurrence.series.location, Booking.occurrence.series.online_link,
        Booking.occurrence.organisation.name, Booking.occurrence.status,
    )


async def _booking_context(booking_id: UUID) -> dict[str, Any]:
    return await booking_contexts().where(Booking.id == booking_id).first()


def calendar_event(b: dict[str, Any], *, status: str = "CONFIRMED") -> ical.CalEvent:
    link = b["occurrence.series.online_link"]
    return ical.CalEvent(
        uid=occurrence_uid(b["occurrence"]),
        summary=b["occurrence.series.title"],
        start=b["occurrence.start"], end=b["occurrence.end"],
        stamp=max(b["updated_at"], b["occurrence.updated_at"]),
        sequence=b["sequence"],
        description=b["occurrence.series.description"] or "",
        location=b["occurrence.location"] or b["occurrence.series.location"] or link,
        url=f"{current_settings().site_url}/community/occurrences/{b['occurrence']}",
        status=status,
    )


def _people(b: dict[str, Any]) -> tuple[ical.Person, ical.Person]:
    # The ORGANIZER is the sending address (a configured "Name <address>" gives its address).
    sender = parseaddr(current_settings().mail_from)[1]
    organizer = ical.Person(email=sender, name=b["occurrence.organisation.name"])
    attendee = ical.Person(email=b["account.email"], name=b["account.display_name"])
    return organizer, attendee


def _body(b: dict[str, Any], opening: str) -> str:
    where = b["occurrence.location"] or b["occurrence.series.location"] or b["occurrence.series.online_link"] or ""
    lines = [
        f"Hello {b['account.display_name']},", "", opening, "",
        f"{b['occurrence.series.title']}", when(b["occurrence.start"], b["occurrence.end"]),
    ]
    if where:
        lines.append(where)
    lines += ["", f"See or change your booking: {current_settings().site_url}/community/occurrences/{b['occurrence']}",
              "", f"— {b['occurrence.organisation.name']}, via peerwork"]
    return "\n".join(lines)


async def _send(b: dict[str, Any], subject: str, opening: str, method: str | None) -> None:
    forget_fingerprints()  # what people are told about is also what their feeds show
    calendar = None
    if method is not None:
        organizer, attendee = _people(b)
        event = calendar_event(b, status="CANCELLED" if method == "CANCEL" else "CONFIRMED")
        partstat = "DECLINED" if method == "CANCEL" else "ACCEPTED"
        calendar = (method, ical.invite(method, event, organizer=organizer, attendee=attendee, partstat=partstat))
    await enqueue(
        to_address=b["account.email"], to_name=b["account.display_name"],
        subject=f"{subject}: {b['occurrence.series.title']}, {b['occurrence.start'].astimezone(LONDON):%a %-d %b %H:%M}",
        body_text=_body(b, opening), calendar=calendar, organisation_id=b["organisation"],
        dedupe_key=f"booking:{b['id']}:{b['sequence']}:{b['status']}",
    )


async def booking_changed(booking_id: UUID, *, promoted: bool = False) -> None:
    b = await _booking_context(booking_id)
    if b["status"] == "confirmed":
        if promoted:
            await _send(b, "A place is yours", "A place came free and it is yours. It is in the calendar invite attached.", "REQUEST")
        else:
            await _send(b, "Booked", "Your place is booked. The calendar invite is attached.", "REQUEST")
    elif b["status"] == "waitlisted":
        position = await Booking.count().where(
            (Booking.occurrence == b["occurrence"]) & (Booking.status == "waitlisted")
            & (Booking.queue_position <= b["queue_position"])
        )
        await _send(b, f"Waitlisted (position {position})",
                    f"It is full, so you are on the waiting list at position {position}. "
                    "If a place comes free we will book you in and email you.", None)


async def booking_cancelled(booking_id: UUID, *, was_confirmed: bool) -> None:
    b = await _booking_context(booking_id)
    if was_confirmed:
        await _send(b, "Cancelled", "Your booking is cancelled. The calendar invite attached removes it.", "CANCEL")
    else:
        await _send(b, "Left the waiting list", "You have left the waiting list.", None)


async def _each_booking(occurrence_id: UUID) -> list[dict[str, Any]]:
    return await booking_contexts().where(
        (Booking.occurrence == occurrence_id) & (Booking.status != "cancelled")
    ).order_by(Booking.queue_position)


async def occurrence_changed(occurrence_id: UUID) -> None:
    for b in await _each_booking(occurrence_id):
        if b["status"] == "confirmed":
            await _send(b, "Changed", "The details have changed; the updated invite is attached.", "REQUEST")


async def occurrence_cancelled(occurrence_id: UUID, reason: str = "") -> None:
    opening = "This has been cancelled." + (f" {reason}" if reason else "")
    for b in await _each_booking(occurrence_id):
        await _send(b, "Cancelled", opening, "CANCEL" if b["status"] == "confirmed" else None)


__all__ = ["Occurrence"]
