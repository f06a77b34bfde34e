"""What debriefs put on calendars: an accepted request's slot, in the asker's and the
debriefer's calendars only, as a CLASS:PRIVATE event called "Debrief" with nothing of what was
asked. The feed shows it where the person's choice of invites, feed or both puts it
(``calendar.delivery``); the My calendar page lists it either way."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from peerwork.calendar import delivery, ical
from peerwork.calendar.providers import CalendarProvider, FingerprintPart
from peerwork.community.calendar_choice import calendar_delivery
from peerwork.debrief.notify import calendar_event, choice_changed
from peerwork.debrief.tables import DebriefRequest


async def debrief_events(account_id: UUID, since: datetime, *, for_feed: bool = True) -> list[ical.CalEvent]:
    rows = await DebriefRequest.select().where(
        ((DebriefRequest.requester == account_id) | (DebriefRequest.accepted_by == account_id))
        & DebriefRequest.accepted_by.is_not_null() & DebriefRequest.status.is_in(["accepted", "cancelled"])
        & (DebriefRequest.slot_end > since))
    mode = await calendar_delivery(account_id) if for_feed else "both"
    events = []
    for r in rows:
        state = r["requester_invite"] if r["requester"] == account_id else r["accepter_invite"]
        if delivery.in_feed(mode, state):
            events.append(calendar_event(r, cancelled=r["status"] == "cancelled"))
    return events


_MINE = "(requester = {account} OR accepted_by = {account}) AND accepted_by IS NOT NULL"

# Accepting, cancelling and each invite move updated_at or a copy's state; the choice itself is
# community's "delivery" part.
PROVIDER = CalendarProvider(
    name="debrief",
    events=debrief_events,
    fingerprint=(
        FingerprintPart("debriefs", f"SELECT COUNT(*) FROM debrief_request WHERE {_MINE} AND slot_end > {{since}}"),
        FingerprintPart("latest_debrief", f"SELECT MAX(updated_at) FROM debrief_request WHERE {_MINE}"),
        FingerprintPart("debrief_invites",
                        "SELECT COUNT(*) FROM debrief_request WHERE (requester = {account} AND requester_invite "
                        "IS NOT NULL) OR (accepted_by = {account} AND accepter_invite IS NOT NULL)"),
    ),
    choice_changed=choice_changed,
)
