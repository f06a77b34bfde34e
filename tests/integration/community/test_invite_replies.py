"""Decline in Outlook or Gmail gives up the place: real REPLY messages, sent over SMTP to the
listener the app starts in its lifespan, on loopback."""

from __future__ import annotations

import asyncio
import email
import json
from email import policy

import aiosmtplib
import pytest
from icalendar import Calendar

from peerwork.calendar import imip
from peerwork.community import bookings
from peerwork.community.tables import Booking
from peerwork.core.mail.outbox import deliver_due
from peerwork.core.settings import current_settings, use_settings
from peerwork.core.tables import AuditLog
from tests.conftest import DATABASE_URL
from tests.factories import make_org, make_user
from tests.integration.community.helpers import first_occurrence, mail_to, make_series
from tests.mailserver import free_port
from tests.unit.calendar.reply_messages import gmail_reply, outlook_reply

REPLIES = "replies@peerwork.test"


@pytest.fixture
async def listening():
    """The app, started as a server starts it, with its reply listener on a loopback port."""
    from peerwork.app import create_app

    before = current_settings()
    settings = before.with_overrides(database_url=DATABASE_URL, reply_address=REPLIES, reply_smtp_host="127.0.0.1",
                                     reply_smtp_port=free_port(), reply_max_bytes=64 * 1024,
                                     mail_from="peerwork@north.example")
    app = create_app(settings)
    started, stop = asyncio.Event(), asyncio.Event()

    async def serve() -> None:  # one task enters and leaves the lifespan, as a server does
        async with app.lifespan():
            started.set()
            await stop.wait()

    server = asyncio.create_task(serve())
    try:
        await asyncio.wait({server, asyncio.create_task(started.wait())}, timeout=10,
                           return_when=asyncio.FIRST_COMPLETED)
        assert started.is_set(), server.exception() if server.done() else "the app did not start"
        yield settings
    finally:
        stop.set()
        await server
        use_settings(before)


async def send(settings, raw: bytes, to: str, sender: str = "alex@nhs.example") -> None:
    await aiosmtplib.send(raw, sender=sender, recipients=[to], hostname="127.0.0.1",
                          port=settings.reply_smtp_port, timeout=10)


async def full_occurrence():
    """Alex holds the only place; Bea waits."""
    org = await make_org()
    lead = await make_user(org, "peer_lead")
    alex = await make_user(org, "psw", email="alex@nhs.example")
    bea = await make_user(org, "psw", email="bea@nhs.example")
    await make_series(lead, capacity=1)
    occurrence = await first_occurrence(alex)
    held = await bookings.book(alex.principal, occurrence.id)
    waiting = await bookings.book(bea.principal, occurrence.id)
    assert (held.status, waiting.status) == ("confirmed", "waitlisted")
    return occurrence, alex, bea, held, waiting


async def invite_of(address: str) -> tuple[str, str, int, Calendar]:
    """(reply address, UID, SEQUENCE, calendar) of the last invite emailed to ``address``."""
    ics = [m for m in await mail_to(address) if m["calendar_method"] == "REQUEST"][-1]["calendar_ics"]
    calendar = Calendar.from_ical(ics)
    event = next(iter(calendar.walk("VEVENT")))
    organizer = event["ORGANIZER"]
    return str(organizer).removeprefix("mailto:"), str(event["UID"]), int(event["SEQUENCE"]), calendar


async def status_of(booking_id) -> str:
    return (await Booking.select(Booking.status).where(Booking.id == booking_id).first())["status"]


def statuses(raw_messages: list[bytes]) -> dict[str, tuple[str, str | None]]:
    """Recipient -> (subject, calendar method) of each message the SMTP server received."""
    seen = {}
    for raw in raw_messages:
        message = email.message_from_bytes(raw, policy=policy.default)
        parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        seen[message["To"].addresses[0].addr_spec] = (str(message["Subject"]),
                                                      parts[0].get_param("method") if parts else None)
    return seen


@pytest.mark.parametrize("build", [outlook_reply, gmail_reply], ids=["outlook", "gmail"])
async def test_declining_the_invite_gives_up_the_place_and_the_next_person_is_booked_and_told(listening, smtp, build):
    occurrence, alex, bea, held, waiting = await full_occurrence()
    address, uid, sequence, calendar = await invite_of("alex@nhs.example")
    event = next(iter(calendar.walk("VEVENT")))
    assert address.startswith("replies+") and address.endswith("@peerwork.test")
    assert event["ORGANIZER"].params["SENT-BY"] == "mailto:peerwork@north.example"
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"  # so calendar apps send the answer

    await send(listening, build(to=address, attendee="alex@nhs.example", uid=uid, sequence=sequence), address)

    assert await status_of(held.id) == "cancelled"
    assert await status_of(waiting.id) == "confirmed"
    audit = await AuditLog.select(AuditLog.detail).where(
        (AuditLog.table_name == "booking") & (AuditLog.action == "cancel") & (AuditLog.record_id == str(held.id))
    ).first()
    detail = audit["detail"] if isinstance(audit["detail"], dict) else json.loads(audit["detail"])
    assert detail["via"] == "calendar-reply"
    report = await deliver_due(smtp.transport, max_attempts=3, sender="peerwork@north.example")
    assert report.failed == 0
    received = statuses(smtp.received)
    assert received["bea@nhs.example"][0].startswith("A place is yours") and received["bea@nhs.example"][1] == "REQUEST"
    assert received["alex@nhs.example"][0].startswith("Cancelled") and received["alex@nhs.example"][1] == "CANCEL"


async def test_accepting_or_tentative_changes_nothing(listening):
    occurrence, alex, bea, held, waiting = await full_occurrence()
    address, uid, sequence, _ = await invite_of("alex@nhs.example")
    before = len(await mail_to("alex@nhs.example"))
    for partstat in ("ACCEPTED", "TENTATIVE"):
        await send(listening, outlook_reply(to=address, attendee="alex@nhs.example", uid=uid, partstat=partstat,
                                            sequence=sequence), address)
    assert (await status_of(held.id), await status_of(waiting.id)) == ("confirmed", "waitlisted")
    assert len(await mail_to("alex@nhs.example")) == before


async def test_a_forged_token_another_uid_or_another_attendee_changes_nothing(listening):
    occurrence, alex, bea, held, waiting = await full_occurrence()
    address, uid, sequence, _ = await invite_of("alex@nhs.example")
    token = imip.token_from(address, REPLIES)
    forged_verifier = imip.reply_address_for(REPLIES, imip.ReplyToken(token.selector, imip.new_token().verifier))
    unknown = imip.reply_address_for(REPLIES, imip.new_token())
    attempts = [
        (forged_verifier, dict(attendee="alex@nhs.example", uid=uid)),  # right booking, guessed secret
        (unknown, dict(attendee="alex@nhs.example", uid=uid)),  # nobody's token
        (address, dict(attendee="bea@nhs.example", uid=uid)),  # someone else answering
        (address, dict(attendee="alex@nhs.example", uid="occurrence-someone-else@peerwork")),
    ]
    for to, reply in attempts:
        # Every well-formed reply address is accepted alike, so the answer reveals nothing.
        await send(listening, gmail_reply(to=to, sequence=sequence, **reply), to)
    assert (await status_of(held.id), await status_of(waiting.id)) == ("confirmed", "waitlisted")

    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):  # not a reply address at all
        await send(listening, gmail_reply(to=REPLIES, attendee="alex@nhs.example", uid=uid), REPLIES)


async def test_an_answer_to_an_older_invite_does_not_cancel_a_newer_booking(listening):
    occurrence, alex, bea, held, waiting = await full_occurrence()
    address, uid, old_sequence, _ = await invite_of("alex@nhs.example")
    await bookings.cancel(alex.principal, held.id)  # Bea gets the place
    await bookings.cancel(bea.principal, waiting.id)  # and gives it up again
    again = await bookings.book(alex.principal, occurrence.id)
    assert again.status == "confirmed" and again.sequence > old_sequence
    await send(listening, outlook_reply(to=address, attendee="alex@nhs.example", uid=uid, sequence=old_sequence), address)
    assert await status_of(held.id) == "confirmed"
    _, _, new_sequence, _ = await invite_of("alex@nhs.example")
    await send(listening, outlook_reply(to=address, attendee="alex@nhs.example", uid=uid, sequence=new_sequence), address)
    assert await status_of(held.id) == "cancelled"


async def test_a_message_over_the_size_limit_is_refused_and_changes_nothing(listening):
    occurrence, alex, bea, held, waiting = await full_occurrence()
    address, uid, sequence, _ = await invite_of("alex@nhs.example")
    raw = outlook_reply(to=address, attendee="alex@nhs.example", uid=uid, sequence=sequence)
    padded = raw.replace(b"Subject:", b"X-Padding: " + b"x" * 900 + b"\r\n" + b"X-More: " + b"y" * 900 + b"\r\nSubject:")
    padded = padded.replace(b"X-More", b"\r\n".join([b"X-More: " + b"y" * 900] * 80) + b"\r\nX-Last", 1)
    assert len(padded) > listening.reply_max_bytes
    with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
        await send(listening, padded, address)
    assert refused.value.code == 552
    assert await status_of(held.id) == "confirmed"


async def test_the_listener_is_off_unless_configured_and_frees_its_port_when_stopped():
    from peerwork.app import create_app

    before = current_settings()
    try:
        assert create_app(before.with_overrides(database_url=DATABASE_URL)).state.replies is None
        port = free_port()
        app = create_app(before.with_overrides(database_url=DATABASE_URL, reply_address=REPLIES, reply_smtp_port=port))
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=5)
        with pytest.raises(aiosmtplib.SMTPConnectError):
            await smtp.connect()
        await app.state.replies.start()
        await smtp.connect()
        assert (await smtp.ehlo()).code == 250
        await smtp.quit()
        await app.state.replies.stop()
        with pytest.raises(aiosmtplib.SMTPConnectError):
            await aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=5).connect()
    finally:
        use_settings(before)
