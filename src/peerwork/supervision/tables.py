"""Supervision tables: agreements, groups, sessions, confidential notes, cover, policy."""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Integer, Text, Time, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Account, Organisation


class SupervisionPolicy(Table):
    """An organisation's default frequency and grace per role and kind."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    role = Varchar(length=16)  # the supervisee's role, e.g. psw
    kind = Varchar(length=16)  # one_to_one | group
    every_days = Integer()
    grace_days = Integer(default=7)


class SupervisionGroup(Table):
    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    name = Varchar(length=200)
    capacity = Integer(default=10)
    created_at = Timestamptz(default=TimestamptzNow())


class GroupMember(Table):
    peer_group = ForeignKey(references=SupervisionGroup, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    role = Varchar(length=16, default="member")  # facilitator | member


class SupervisionAgreement(Table):
    """Who supervises whom, how often, and when they prefer to meet (London time)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    kind = Varchar(length=16)  # one_to_one | group
    supervisor = ForeignKey(references=Account, null=False, index=True)  # the facilitator for a group
    supervisee = ForeignKey(references=Account, null=True, default=None, index=True)  # null for a group
    peer_group = ForeignKey(references=SupervisionGroup, null=True, default=None, index=True)
    every_days = Integer()
    grace_days = Integer(default=7)
    length_minutes = Integer(default=60)
    preferred_weekday = Integer(null=True, default=None)  # 0 = Monday
    window_start = Time()
    window_end = Time()
    start_date = Date()
    end_date = Date(null=True, default=None)
    status = Varchar(length=16, default="active")  # active | ended
    created_at = Timestamptz(default=TimestamptzNow())


class SupervisionSession(Table):
    """A session: proposed (not yet agreed), scheduled, held, cancelled or did_not_attend."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    agreement = ForeignKey(references=SupervisionAgreement, null=False, index=True)
    supervisor = ForeignKey(references=Account, null=False, index=True)  # changes under cover
    supervisee = ForeignKey(references=Account, null=True, default=None, index=True)
    start = Timestamptz(index=True)
    end = Timestamptz()
    status = Varchar(length=16, default="proposed")
    clash = Text(null=True, default=None)  # why a proposal could not avoid a clash
    cancelled_by = Varchar(length=16, null=True, default=None)  # supervisor | supervisee | peer_lead
    reason = Text(null=True, default=None)
    sequence = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class GroupAttendance(Table):
    session = ForeignKey(references=SupervisionSession, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    attended = Boolean(default=False)


class SessionInvite(Table):
    """Where a session's copy sits in one person's mail calendar (``calendar.delivery``):
    ``request`` (an invite stands), ``cancel`` (the last invite cancelled it) or null (no invite;
    their feed shows it if their choice puts it there). No row: never invited."""

    session = ForeignKey(references=SupervisionSession, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    invite_state = Varchar(length=8, null=True, default=None)


class SessionNote(Table):
    """Confidential: belongs to the supervisee. Only the session's supervisor and supervisee
    may read it; every read is audited; it never appears in logs, exports or audit payloads."""

    id = UUID(primary_key=True)
    session = ForeignKey(references=SupervisionSession, null=False, unique=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    notes = Text(default="")
    actions = Text(default="")
    supervisee_comment = Text(default="")
    confirmed_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class CoverArrangement(Table):
    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    away = ForeignKey(references=Account, null=False)
    cover = ForeignKey(references=Account, null=False)
    start_date = Date()
    end_date = Date()
    created_at = Timestamptz(default=TimestamptzNow())
