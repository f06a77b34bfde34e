"""Debrief tables: the daily rota of on-call peer debriefers, and requests for a debrief.

What was asked (``reason`` and ``note``) is the asker's and, once one accepts, the taker's:
never in an email, a calendar entry, a log line or a figure.
"""

from __future__ import annotations

from piccolo.columns import UUID, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Account, Organisation


class DebriefRota(Table):
    """One person on call as a peer debriefer on one (London) day. One row per day and person
    (a unique index in the migration)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    day = Date(index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    added_by = ForeignKey(references=Account, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class DebriefRequest(Table):
    """A request for a debrief, made on ``day`` (London) to that day's on-call debriefers.

    Status: open (waiting for a debriefer), accepted (``accepted_by`` has it, with a private
    slot from ``slot_start`` to ``slot_end``), cancelled (by the asker), expired (nobody took
    it by the end of the day). ``accepted_by`` is set once, by a conditional update, so exactly
    one debriefer gets it. ``*_invite`` say where each person's calendar copy of the slot sits
    (``calendar.delivery``: request, cancel or none)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    requester = ForeignKey(references=Account, null=False, index=True)
    day = Date(index=True)
    reason = Varchar(length=24)  # difficult_shift | incident | racist_incident
    note = Text(default="")
    status = Varchar(length=16, default="open")
    created_at = Timestamptz(default=TimestamptzNow())
    accepted_by = ForeignKey(references=Account, null=True, default=None, index=True)
    accepted_at = Timestamptz(null=True, default=None)
    slot_start = Timestamptz(null=True, default=None)
    slot_end = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    sequence = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())
    requester_invite = Varchar(length=8, null=True, default=None)
    accepter_invite = Varchar(length=8, null=True, default=None)
