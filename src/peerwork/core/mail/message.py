"""One outbox row to one MIME message: a pure function, so its shape is tested without a server.

With an invite the tree is (RFC 6047)::

    multipart/mixed
      multipart/alternative
        text/plain
        text/html                              (when given)
        text/calendar; method=REQUEST          (the METHOD inside matches)
      application/ics; invite.ics              (the same bytes, for clients that show only attachments)

The text/calendar part must sit inside the alternative beside the body: calendar clients
act on it there, and without ``method=`` Gmail left cancelled events in place.
"""

from __future__ import annotations

import email.policy
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

# 7-bit transfer encodings (quoted-printable/base64 for non-ASCII text) go through any relay,
# including one that does not offer 8BITMIME; CRLF line ends as SMTP wants them.
POLICY = email.policy.SMTP.clone(cte_type="7bit")


def message_id(row_id: object, sender: str) -> str:
    """Stable per outbox row, so a resend after a crash is recognisably the same message."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "peerwork"
    return f"<{row_id}@{domain}>"


def build_message(row: Mapping[str, Any], *, sender: str) -> EmailMessage:
    """The message for an outbox row (a mapping with the ``OutboxMessage`` column names).

    ``sender`` is the From address; invites must name the same address as ORGANIZER.
    """
    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender
    msg["To"] = Address(display_name=row["to_name"] or "", addr_spec=row["to_address"])
    msg["Subject"] = row["subject"]
    msg["Date"] = row["created_at"]
    msg["Message-ID"] = message_id(row["id"], sender)
    msg.set_content(row["body_text"])
    if row.get("body_html"):
        msg.add_alternative(row["body_html"], subtype="html")
    if row.get("calendar_ics"):
        method = row["calendar_method"]
        msg.add_alternative(row["calendar_ics"], subtype="calendar", params={"method": method})
        msg.add_attachment(
            row["calendar_ics"].encode("utf-8"), maintype="application", subtype="ics",
            filename="invite.ics", params={"name": "invite.ics"},  # older clients read the name from here
        )
    return msg
