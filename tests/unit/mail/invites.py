"""A small RFC 5546 invite made with icalendar, as a booking would send."""

from __future__ import annotations

from datetime import datetime, timezone

import icalendar

SENDER = "peerwork@trust.example"


def invite_ics(method: str = "REQUEST", *, attendee: str = "sam@north.example", sequence: int = 0) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//peerwork tests//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", "occurrence-1@peerwork")
    event.add("dtstamp", datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc))
    event.add("dtstart", datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc))
    event.add("dtend", datetime(2026, 12, 3, 11, 30, tzinfo=timezone.utc))
    event.add("summary", "Reflective practice – Café group")
    event.add("sequence", sequence)
    if method == "CANCEL":
        event.add("status", "CANCELLED")
    event.add("organizer", icalendar.vCalAddress(f"mailto:{SENDER}"))
    event.add("attendee", icalendar.vCalAddress(f"mailto:{attendee}"),
              parameters={"CN": "Sam Patel", "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"})
    cal.add_component(event)
    return cal.to_ical()
