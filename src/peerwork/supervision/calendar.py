"""What supervision puts on a person's calendar: their sessions, as CLASS:PRIVATE events with
no notes and no other person's details. The feed shows those the person's choice of invites,
feed or both puts there (``calendar.delivery``): a session whose invite is in their mail
calendar is left out, so it never shows twice; the My calendar page lists them all."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from peerwork.calendar import delivery, ical
from peerwork.calendar.providers import CalendarProvider, FingerprintPart
from peerwork.community.calendar_choice import calendar_delivery
from peerwork.supervision.notify import calendar_event, choice_changed, invite_states, session_contexts
from peerwork.supervision.tables import GroupMember, SupervisionSession


async def session_events(account_id: UUID, since: datetime, *, for_feed: bool = True) -> list[ical.CalEvent]:
    groups = await GroupMember.select(GroupMember.peer_group).where(GroupMember.account == account_id).output(as_list=True)
    mine = (SupervisionSession.supervisor == account_id) | (SupervisionSession.supervisee == account_id)
    if groups:
        mine |= SupervisionSession.agreement.peer_group.is_in(groups)
    rows = await session_contexts().where(
        mine & SupervisionSession.status.is_in(["scheduled", "held", "cancelled"]) & (SupervisionSession.end > since)
    )
    mode = await calendar_delivery(account_id) if for_feed else "both"  # a page lists them all
    states = await invite_states(account_id, [s["id"] for s in rows]) if mode != "both" else {}
    return [calendar_event(s, cancelled=s["status"] == "cancelled") for s in rows
            if delivery.in_feed(mode, states.get(s["id"]))]


_MINE = ("(ss.supervisor = {account} OR ss.supervisee = {account} "
         "OR a.peer_group IN (SELECT peer_group FROM group_member WHERE account = {account}))")

# Every change to a session moves its updated_at; a copy moving between invite and feed moves
# the count of feed-side copies, and the choice itself is community's "delivery" part.
PROVIDER = CalendarProvider(
    name="supervision",
    events=session_events,
    fingerprint=(
        FingerprintPart("sessions", "SELECT COUNT(*) FROM supervision_session ss JOIN supervision_agreement a "
                                    f"ON a.id = ss.agreement WHERE {_MINE} AND ss.\"end\" > {{since}}"),
        FingerprintPart("latest_session", "SELECT MAX(ss.updated_at) FROM supervision_session ss "
                                          f"JOIN supervision_agreement a ON a.id = ss.agreement WHERE {_MINE}"),
        FingerprintPart("feed_copies", "SELECT COUNT(*) FROM session_invite "
                                       "WHERE account = {account} AND invite_state IS NULL"),
        FingerprintPart("invited", "SELECT COUNT(*) FROM session_invite "
                                   "WHERE account = {account} AND invite_state IS NOT NULL"),
    ),
    choice_changed=choice_changed,
)
