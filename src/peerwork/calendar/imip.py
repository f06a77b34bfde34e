"""Replies to invites arriving by email (iMIP, RFC 6047): the reply address and the REPLY. Pure.

An invite names ``<local>+<token>@<domain>`` as its ORGANIZER, so when someone presses
Decline in Outlook, Gmail or Apple Calendar, their app mails a ``METHOD:REPLY`` there. The
token is a selector (finds the record) and a verifier (compared in constant time by the
caller); the address is only ever written into that person's own invite.

Nothing here trusts the message: anything that is not one clear REPLY gives ``None``.
"""

from __future__ import annotations

import email
import email.policy
import re
import secrets
from dataclasses import dataclass

from peerwork.core.lazy import deferred

icalendar = deferred("icalendar")  # loaded by the first invite or reply, not at start-up

ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # lower-case base32: survives case-folding mail systems
SELECTOR_LENGTH = 12  # 60 bits: unique per booking, looked up
VERIFIER_LENGTH = 26  # 130 bits: the secret, compared in constant time
_TOKEN = re.compile(rf"^[{ALPHABET}]{{{SELECTOR_LENGTH + VERIFIER_LENGTH}}}$")
PARTSTATS = frozenset({"ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED", "NEEDS-ACTION"})


@dataclass(frozen=True)
class ReplyToken:
    selector: str
    verifier: str

    @property
    def text(self) -> str:
        return self.selector + self.verifier


def new_token() -> ReplyToken:
    def pick(n: int) -> str:
        return "".join(secrets.choice(ALPHABET) for _ in range(n))

    return ReplyToken(pick(SELECTOR_LENGTH), pick(VERIFIER_LENGTH))


def reply_address_for(base: str, token: ReplyToken) -> str:
    """``replies@example.org`` and a token give ``replies+<token>@example.org``."""
    local, _, domain = base.partition("@")
    return f"{local}+{token.text}@{domain}"


def token_from(recipient: str, base: str) -> ReplyToken | None:
    """The token in an envelope recipient, if it is ``base`` with a well-formed ``+token``."""
    address = recipient.strip().strip("<>").lower()
    local, at, domain = address.rpartition("@")
    base_local, _, base_domain = base.lower().partition("@")
    if not at or domain != base_domain:
        return None
    prefix, plus, token = local.partition("+")
    if not plus or prefix != base_local or not _TOKEN.match(token):
        return None
    return ReplyToken(token[:SELECTOR_LENGTH], token[SELECTOR_LENGTH:])


@dataclass(frozen=True)
class Reply:
    """One attendee's answer to one event."""

    uid: str
    attendee: str  # lower-case address, without mailto:
    partstat: str
    sequence: int | None  # the SEQUENCE of the invite answered, when the app says


def _calendar_texts(message: email.message.EmailMessage) -> list[str]:
    texts = []
    for part in message.walk():
        if part.get_content_type() not in ("text/calendar", "application/ics"):
            continue
        try:
            content = part.get_content()
        except (LookupError, ValueError):  # an unknown charset or broken encoding
            continue
        texts.append(content.decode("utf-8", "replace") if isinstance(content, bytes) else content)
    return texts


def _address(value: object) -> str:
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):]
    return text.lower()


def _reply_in(text: str) -> Reply | None:
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception:  # hostile or broken input in every shape icalendar can raise
        return None
    if str(calendar.get("METHOD", "")).upper() != "REPLY":
        return None
    events = calendar.walk("VEVENT")
    if len(events) != 1 or "RECURRENCE-ID" in events[0]:
        return None  # our invites are single events; anything else is not an answer to one
    event = events[0]
    attendees = event.get("ATTENDEE")
    if not isinstance(attendees, list):
        attendees = [] if attendees is None else [attendees]
    if len(attendees) != 1 or "UID" not in event:  # RFC 5546: a REPLY names exactly one attendee
        return None
    attendee = attendees[0]
    partstat = str(getattr(attendee, "params", {}).get("PARTSTAT", "NEEDS-ACTION")).upper()
    if partstat not in PARTSTATS:
        return None
    try:
        sequence = int(event["SEQUENCE"]) if "SEQUENCE" in event else None
    except (TypeError, ValueError):
        return None
    return Reply(uid=str(event["UID"]).strip(), attendee=_address(attendee), partstat=partstat, sequence=sequence)


def parse_reply(raw: bytes) -> Reply | None:
    """The REPLY in a mail message (a text/calendar part, as Outlook and Gmail send it, or an
    .ics attachment), or None when there is not exactly one."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception:  # the parser is lenient, but hostile bytes must never escape
        return None
    replies = {reply for reply in map(_reply_in, _calendar_texts(message)) if reply is not None}
    # Gmail sends the same REPLY twice (inline and attached): equal ones count once.
    return replies.pop() if len(replies) == 1 else None
