"""The MIME shape of outbox messages: what mail and calendar clients act on."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timezone
from uuid import UUID

from peerwork.core.mail.message import build_message
from tests.unit.mail.invites import SENDER, invite_ics

ROW_ID = UUID("7d0c5a52-3f8e-4c1e-9a55-0b6f2f7f1c11")


def outbox_row(**changes) -> dict:
    row = {
        "id": ROW_ID, "to_address": "sam@north.example", "to_name": "Sam Patel",
        "subject": "Booked: Café group", "body_text": "Hello Sam,\n\nYour place is booked.",
        "body_html": None, "calendar_method": None, "calendar_ics": None,
        "created_at": datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc),
    }
    return row | changes


def reparsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def test_an_invite_sits_in_the_alternative_beside_the_body_and_is_attached_too():
    ics = invite_ics("REQUEST")
    msg = reparsed(build_message(
        outbox_row(body_html="<p>Hello Sam</p>", calendar_method="REQUEST", calendar_ics=ics.decode()),
        sender=SENDER,
    ))
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.get_payload()
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html", "text/calendar"]
    calendar = alternative.get_payload()[2]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_content().encode() == ics  # CRLF line ends and non-ASCII survive
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content() == ics


def test_a_cancel_says_cancel_on_the_part():
    ics = invite_ics("CANCEL", sequence=1).decode()
    msg = reparsed(build_message(outbox_row(calendar_method="CANCEL", calendar_ics=ics), sender=SENDER))
    calendar = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "CANCEL"
    assert "METHOD:CANCEL" in calendar.get_content()


def test_headers_name_the_recipient_and_a_message_id_stable_for_the_row():
    first = reparsed(build_message(outbox_row(), sender=f"North Trust <{SENDER}>"))
    again = reparsed(build_message(outbox_row(), sender=f"North Trust <{SENDER}>"))
    assert first["To"].addresses[0].display_name == "Sam Patel"
    assert first["To"].addresses[0].addr_spec == "sam@north.example"
    assert first["From"].addresses[0].addr_spec == SENDER
    assert first["Subject"] == "Booked: Café group"
    assert first["Date"].datetime == datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)
    assert first["Message-ID"] == again["Message-ID"] == f"<{ROW_ID}@trust.example>"


def test_a_plain_message_is_one_text_part_that_goes_through_a_7bit_relay():
    raw = build_message(outbox_row(body_text="Hello Zoë"), sender=SENDER).as_bytes()
    assert raw.isascii()  # non-ASCII is transfer-encoded, so no relay needs 8BITMIME
    msg = reparsed(build_message(outbox_row(body_text="Hello Zoë"), sender=SENDER))
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().strip() == "Hello Zoë"
