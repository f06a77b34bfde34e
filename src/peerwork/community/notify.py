"""What people are told about their bookings, as outbox emails with calendar invites.

Called inside the transaction that made the change, so the change and its message commit
together. Each attendee's invite uses one UID per occurrence and their booking's SEQUENCE,
which rises with every change they are told about. Whether a message carries an invite
follows the person's choice of invites, feed or both (``delivery``); the email itself is sent
either way, so nobody misses a place given to them or a session called off.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from uuid import UUID

from peerwork.calendar import ical, imip
from peerwork.calendar.feeds import forget_fingerprints
from peerwork.core.time import LONDON
from peerwork.calendar import delivery
from peerwork.community.calendar_choice import calendar_delivery, has_live_feed
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
        Booking.invite_state, Booking.reply_selector, Booking.reply_verifier,
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


async def with_reply_token(b: dict[str, Any]) -> dict[str, Any]:
    """The booking with its reply token, made the first time an invite needs one."""
    if not current_settings().reply_address or b["reply_selector"]:
        return b
    token = imip.new_token()
    made = await Booking.update({Booking.reply_selector: token.selector, Booking.reply_verifier: token.verifier}).where(
        (Booking.id == b["id"]) & Booking.reply_selector.is_null()
    ).returning(Booking.reply_selector, Booking.reply_verifier)
    # None made: another change gave it one first; read that one.
    row = made[0] if made else await Booking.select(Booking.reply_selector, Booking.reply_verifier).where(
        Booking.id == b["id"]).first()
    return {**b, "reply_selector": row["reply_selector"], "reply_verifier": row["reply_verifier"]}


def _people(b: dict[str, Any]) -> tuple[ical.Person, ical.Person]:
    # The ORGANIZER is the sending address (a configured "Name <address>" gives its address),
    # or, when replies are read, this booking's reply address, sent by the sending address.
    settings = current_settings()
    sender = parseaddr(settings.mail_from)[1]
    organizer = ical.Person(email=sender, name=b["occurrence.organisation.name"])
    if settings.reply_address and b.get("reply_selector"):
        token = imip.ReplyToken(b["reply_selector"], b["reply_verifier"])
        organizer = ical.Person(email=imip.reply_address_for(settings.reply_address, token),
                                name=b["occurrence.organisation.name"], sent_by=sender)
    attendee = ical.Person(email=b["account.email"], name=b["account.display_name"])
    return organizer, attendee


def invite_bytes(b: dict[str, Any], method: str, *, partstat: str) -> bytes:
    """The invite for a booking context (with its reply token, see ``with_reply_token``)."""
    organizer, attendee = _people(b)
    event = calendar_event(b, status="CANCELLED" if method == "CANCEL" else "CONFIRMED")
    return ical.invite(method, event, organizer=organizer, attendee=attendee, partstat=partstat,
                       rsvp=bool(current_settings().reply_address))


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


_CALENDAR_LINES = {
    "REQUEST": "The calendar invite is attached.",
    "CANCEL": "The calendar invite attached takes it out of your calendar.",
}


def _message(b: dict[str, Any], subject: str, opening: str, method: str | None,
             calendar_line: str | None = None) -> dict[str, Any]:
    """The email (``enqueue``'s arguments) for a booking context that already holds its reply
    token when an invite needs one."""
    calendar = None
    if method is not None:
        partstat = "DECLINED" if method == "CANCEL" else "ACCEPTED"
        calendar = (method, invite_bytes(b, method, partstat=partstat))
    line = calendar_line or _CALENDAR_LINES.get(method or "")
    return dict(
        to_address=b["account.email"], to_name=b["account.display_name"],
        subject=f"{subject}: {b['occurrence.series.title']}, {b['occurrence.start'].astimezone(LONDON):%a %-d %b %H:%M}",
        body_text=_body(b, f"{opening} {line}" if line else opening), calendar=calendar,
        organisation_id=b["organisation"], dedupe_key=f"booking:{b['id']}:{b['sequence']}:{b['status']}",
    )


async def _send(b: dict[str, Any], subject: str, opening: str, method: str | None,
                calendar_line: str | None = None) -> None:
    forget_fingerprints()  # what people are told about is also what their feeds show
    if method is not None:
        b = await with_reply_token(b)
    await enqueue(**_message(b, subject, opening, method, calendar_line))


async def _set_state(b: dict[str, Any], state: str | None) -> None:
    if b["invite_state"] != state:
        await Booking.update({Booking.invite_state: state}).where(Booking.id == b["id"])


def _held_plan(mode: str, live: bool, state: str | None) -> tuple[str | None, str | None, str | None]:
    """For a held place: the invite method (if any), the new invite state and the line that
    says where it is in their calendar (None: the usual line about the attachment)."""
    method, new_state = delivery.on_place_held(mode, has_live_feed=live, state=state)
    line = None
    if method == "CANCEL":
        line = ("Your peerwork calendar feed shows it now; the calendar invite attached removes "
                "the copy the earlier invite made, so it does not show twice.")
    elif method is None:
        line = ("It is in your peerwork calendar feed." if live else
                "You chose to get bookings through your calendar feed: make its link on the "
                "My calendar page to see them in your calendar app.")
    return method, new_state, line


async def _held(b: dict[str, Any], subject: str, opening: str) -> None:
    """A held place: an invite, or a note that it is in the feed, as the person chose."""
    mode = await calendar_delivery(b["account"])
    live = await has_live_feed(b["account"])
    method, state, line = _held_plan(mode, live, b["invite_state"])
    await _send(b, subject, opening, method, line)
    await _set_state(b, state)


async def _ended(b: dict[str, Any], subject: str, opening: str) -> None:
    method, state = delivery.on_place_ended(b["invite_state"])
    await _send(b, subject, opening, method)
    await _set_state(b, state)


async def booking_changed(booking_id: UUID, *, promoted: bool = False) -> None:
    b = await _booking_context(booking_id)
    if b["status"] == "confirmed":
        if promoted:
            await _held(b, "A place is yours", "A place came free and it is yours.")
        else:
            await _held(b, "Booked", "Your place is booked.")
    elif b["status"] == "waitlisted":
        position = await Booking.count().where(
            (Booking.occurrence == b["occurrence"]) & (Booking.status == "waitlisted")
            & (Booking.queue_position <= b["queue_position"])
        )
        await _send(b, *_waitlisted(position), None)


def _waitlisted(position: int) -> tuple[str, str]:
    return (f"Waitlisted (position {position})",
            f"It is full, so you are on the waiting list at position {position}. "
            "If a place comes free we will book you in and email you.")


@dataclass(frozen=True)
class Told:
    """What to write for a booking just made: its email (``enqueue``'s arguments), its new
    ``invite_state`` and the reply token made for its invite (None: none, or it had one)."""

    message: dict[str, Any]
    invite_state: str | None
    reply_token: imip.ReplyToken | None


def booking_made(b: dict[str, Any], *, mode: str, live: bool, waitlist_position: int | None) -> Told:
    """The email for a booking just made (or made again after a cancellation), built from what the
    booking already holds -- ``b`` shaped as ``booking_contexts()`` rows, the person's delivery
    ``mode`` and whether they have a ``live`` feed, and, when waitlisted, their position -- so
    many can be written in one statement (``outbox.enqueue_all``). Calls no database."""
    forget_fingerprints()  # what people are told about is also what their feeds show
    if b["status"] != "confirmed":
        return Told(_message(b, *_waitlisted(waitlist_position), None), b["invite_state"], None)
    method, state, line = _held_plan(mode, live, b["invite_state"])
    token = None
    if method is not None and current_settings().reply_address and not b["reply_selector"]:
        token = imip.new_token()
        b = {**b, "reply_selector": token.selector, "reply_verifier": token.verifier}
    return Told(_message(b, "Booked", "Your place is booked.", method, line), state, token)


async def booking_cancelled(booking_id: UUID, *, was_confirmed: bool) -> None:
    b = await _booking_context(booking_id)
    if was_confirmed:
        await _ended(b, "Cancelled", "Your booking is cancelled.")
    else:
        await _send(b, "Left the waiting list", "You have left the waiting list.", None)


async def _each_booking(occurrence_id: UUID) -> list[dict[str, Any]]:
    return await booking_contexts().where(
        (Booking.occurrence == occurrence_id) & (Booking.status != "cancelled")
    ).order_by(Booking.queue_position)


async def occurrence_changed(occurrence_id: UUID) -> None:
    for b in await _each_booking(occurrence_id):
        if b["status"] == "confirmed":
            await _held(b, "Changed", "The details have changed.")


async def occurrence_cancelled(occurrence_id: UUID, reason: str = "") -> None:
    opening = "This has been cancelled." + (f" {reason}" if reason else "")
    for b in await _each_booking(occurrence_id):
        if b["status"] == "confirmed":
            await _ended(b, "Cancelled", opening)
        else:
            await _send(b, "Cancelled", opening, None)


async def delivery_changed(booking_id: UUID, method: str, state: str | None) -> None:
    """The person changed how bookings reach their calendar: move this held place there."""
    b = await _booking_context(booking_id)
    if method == "REQUEST":
        await _send(b, "Now a calendar invite", "You asked for your bookings as calendar invites.", method)
    else:
        await _send(b, "Now in your calendar feed",
                    "You asked for your bookings in your peerwork calendar feed, which shows this one now.",
                    method, "The calendar invite attached removes the copy the earlier invite made.")
    await _set_state(b, state)


__all__ = ["Occurrence", "calendar_delivery", "has_live_feed"]
