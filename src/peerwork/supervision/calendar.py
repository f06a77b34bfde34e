"""What supervision puts on a person's calendar: their sessions, as CLASS:PRIVATE events with
no notes and no other person's details."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from peerwork.calendar import ical
from peerwork.calendar.providers import CalendarProvider, FingerprintPart
from peerwork.supervision.notify import calendar_event, session_contexts
from peerwork.supervision.tables import GroupMember, SupervisionSession


async def session_events(account_id: UUID, since: datetime, *, for_feed: bool = True) -> list[ical.CalEvent]:
    groups = await GroupMember.select(GroupMember.peer_group).where(GroupMember.account == account_id).output(as_list=True)
    mine = (SupervisionSession.supervisor == account_id) | (SupervisionSession.supervisee == account_id)
    if groups:
        mine |= SupervisionSession.agreement.peer_group.is_in(groups)
    rows = await session_contexts().where(
        mine & SupervisionSession.status.is_in(["scheduled", "held", "cancelled"]) & (SupervisionSession.end > since)
    )
    return [calendar_event(s, cancelled=s["status"] == "cancelled") for s in rows]


_MINE = ("(ss.supervisor = {account} OR ss.supervisee = {account} "
         "OR a.peer_group IN (SELECT peer_group FROM group_member WHERE account = {account}))")

# Every change to a session moves its updated_at.
PROVIDER = CalendarProvider(
    name="supervision",
    events=session_events,
    fingerprint=(
        FingerprintPart("sessions", "SELECT COUNT(*) FROM supervision_session ss JOIN supervision_agreement a "
                                    f"ON a.id = ss.agreement WHERE {_MINE} AND ss.\"end\" > {{since}}"),
        FingerprintPart("latest_session", "SELECT MAX(ss.updated_at) FROM supervision_session ss "
                                          f"JOIN supervision_agreement a ON a.id = ss.agreement WHERE {_MINE}"),
    ),
)
