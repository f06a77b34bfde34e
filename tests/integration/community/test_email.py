"""Booking emails through a real SMTP server on loopback: the right METHOD and SEQUENCE."""

import email
from email import policy

from icalendar import Calendar

from peerwork.community import bookings, series
from peerwork.core.mail.outbox import deliver_due
from tests.factories import make_org, make_user
from tests.integration.community.helpers import first_occurrence, make_series


def calendar_part(raw: bytes):
    message = email.message_from_bytes(raw, policy=policy.default)
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    part = parts[0]
    calendar = Calendar.from_ical(part.get_content())
    event = next(iter(calendar.walk("VEVENT")))
    return message, part.get_param("method"), str(calendar["METHOD"]), int(event["SEQUENCE"]), str(event["UID"])


async def test_booking_change_and_cancellation_arrive_as_request_request_cancel(smtp):
    org = await make_org()
    lead, psw = await make_user(org, "peer_lead"), await make_user(org, "psw", email="amara@north.example")
    await make_series(lead, capacity=4)
    occurrence = await first_occurrence(psw)
    booking = await bookings.book(psw.principal, occurrence.id)
    await series.move_occurrence(lead.principal, occurrence.id, occurrence.start.replace(minute=30), occurrence.end.replace(minute=30))
    await bookings.cancel(psw.principal, booking.id)
    report = await deliver_due(smtp.transport, max_attempts=3, sender="peerwork@north.example")
    assert report.sent == 3
    received = [calendar_part(m) for m in smtp.received]
    assert [(r[1], r[2], r[3]) for r in received] == [("REQUEST", "REQUEST", 0), ("REQUEST", "REQUEST", 1), ("CANCEL", "CANCEL", 2)]
    assert len({r[4] for r in received}) == 1  # one UID throughout
    first = received[0][0]
    assert first["To"].addresses[0].addr_spec == "amara@north.example" and first["Subject"].startswith("Booked:")
