"""Answers to booking invites: Decline in a calendar app gives up the place.

A REPLY counts only when everything ties it to one booking: the reply address's token (its
verifier compared in constant time), the occurrence's UID and the booked person's own address
as the ATTENDEE. Anything else changes nothing and tells the sender nothing. A decline goes
through ``bookings.cancel``, so the same rules, emails, waiting-list promotion and audit
apply as when the person presses Cancel on the page. Accepted or tentative answers change
nothing: the place is already theirs.
"""

from __future__ import annotations

import hmac

from peerwork.calendar.imip import Reply, ReplyToken
from peerwork.community import bookings
from peerwork.community.notify import occurrence_uid
from peerwork.community.tables import Booking
from peerwork.core.accounts import principal_for
from peerwork.core.time import now


async def handle_reply(token: ReplyToken, reply: Reply) -> bool:
    """Act on a REPLY sent to a booking's reply address; True when the token is a booking's."""
    row = await Booking.select(
        Booking.id, Booking.account, Booking.organisation, Booking.occurrence, Booking.status, Booking.sequence,
        Booking.invite_state, Booking.reply_verifier, Booking.account.email, Booking.occurrence.start,
    ).where(Booking.reply_selector == token.selector).first()
    if row is None:
        return False
    if not hmac.compare_digest((row["reply_verifier"] or "").encode(), token.verifier.encode()):
        return False
    if reply.uid != occurrence_uid(row["occurrence"]) or reply.attendee != row["account.email"].lower():
        return True  # the right address, the wrong event or person: ignore it
    if reply.partstat != "DECLINED" or not _declines_current_place(row, reply):
        return True
    principal = await principal_for(row["account"], row["organisation"], via="calendar-reply")
    if principal is not None and principal.can("community:book"):  # a deactivated account does nothing
        await bookings.cancel(principal, row["id"])
    return True


def _declines_current_place(row: dict, reply: Reply) -> bool:
    if row["status"] != "confirmed" or row["invite_state"] != "request" or row["occurrence.start"] <= now():
        return False  # nothing held by invite to give up, or it has already begun
    # An answer to an older invite (before a cancel and re-book, say) is not about this place.
    return reply.sequence is None or reply.sequence >= row["sequence"]
