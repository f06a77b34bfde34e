"""Reply addresses and REPLY parsing (calendar.imip), without a database or a server."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest

from peerwork.calendar import imip
from tests.unit.calendar.reply_messages import gmail_calendar, gmail_reply, outlook_reply

BASE = "replies@peerwork.example"
UID = "occurrence-3f0c@peerwork"


def test_a_token_goes_into_the_reply_address_and_comes_back_out():
    token = imip.new_token()
    address = imip.reply_address_for(BASE, token)
    assert address.startswith("replies+") and address.endswith("@peerwork.example")
    assert len(address.partition("@")[0]) <= 64  # RFC 5321's limit on a local part
    assert imip.token_from(address, BASE) == token
    assert imip.token_from(f"<{address.upper()}>", BASE) == token  # relays may change the case
    assert imip.new_token() != token


@pytest.mark.parametrize("recipient", [
    "replies@peerwork.example",  # no token
    "someone+abc@peerwork.example",  # another local part
    "replies+" + "a" * 38 + "@elsewhere.example",  # another domain
    "replies+" + "a" * 37 + "@peerwork.example",  # too short
    "replies+" + "a" * 39 + "@peerwork.example",  # too long
    "replies+" + "a" * 37 + "1@peerwork.example",  # outside the alphabet
    "not an address",
])
def test_anything_but_a_well_formed_reply_address_has_no_token(recipient):
    assert imip.token_from(recipient, BASE) is None


@pytest.mark.parametrize("build", [outlook_reply, gmail_reply], ids=["outlook", "gmail"])
@pytest.mark.parametrize("partstat", ["DECLINED", "ACCEPTED", "TENTATIVE"])
def test_outlook_and_gmail_replies_give_the_attendee_their_answer_and_the_uid(build, partstat):
    raw = build(to="replies+x@peerwork.example", attendee="Alex.Doe@NHS.example", uid=UID, partstat=partstat, sequence=3)
    assert imip.parse_reply(raw) == imip.Reply(uid=UID, attendee="alex.doe@nhs.example", partstat=partstat, sequence=3)


def test_a_reply_without_a_sequence_says_so():
    raw = gmail_reply(to="r@x.example", attendee="a@x.example", uid=UID, sequence=None)
    assert imip.parse_reply(raw).sequence is None


def _message_with_calendar(calendar: str) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = "a@x.example", "r@x.example", "Re"
    msg.set_content("hello")
    msg.add_alternative(calendar, subtype="calendar", params={"method": "REPLY"})
    return msg.as_bytes()


def _calendar(old: str, new: str) -> str:
    text = gmail_calendar(organizer="r@x.example", attendee="a@x.example", uid=UID, partstat="DECLINED")
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize("raw", [
    b"",
    b"\x00\xff garbage",
    b"Subject: no calendar\r\n\r\nJust text.\r\n",
    _message_with_calendar("BEGIN:VCALENDAR\r\nnot really\r\n"),
    _message_with_calendar(_calendar("METHOD:REPLY", "METHOD:REQUEST")),  # an invite, not an answer
    _message_with_calendar(_calendar("END:VEVENT", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@x.example\r\nEND:VEVENT")),
    _message_with_calendar(_calendar("END:VEVENT", "RECURRENCE-ID:20261208T130000Z\r\nEND:VEVENT")),
    _message_with_calendar(_calendar("PARTSTAT=DECLINED", "PARTSTAT=MAYBE-LATER")),
    _message_with_calendar(_calendar("SEQUENCE:0", "SEQUENCE:soon")),
], ids=["empty", "binary", "no-calendar", "broken-calendar", "a-request", "two-attendees", "one-occurrence",
        "unknown-answer", "bad-sequence"])
def test_anything_but_one_clear_reply_is_none(raw):
    assert imip.parse_reply(raw) is None


def test_two_different_replies_in_one_message_are_refused():
    first = gmail_calendar(organizer="r@x.example", attendee="a@x.example", uid=UID, partstat="DECLINED")
    second = gmail_calendar(organizer="r@x.example", attendee="a@x.example", uid=UID, partstat="ACCEPTED")
    msg = EmailMessage(policy=SMTP)
    msg.set_content("hello")
    msg.add_alternative(first, subtype="calendar", params={"method": "REPLY"})
    msg.add_attachment(second.encode(), maintype="application", subtype="ics", filename="invite.ics")
    assert imip.parse_reply(msg.as_bytes()) is None
