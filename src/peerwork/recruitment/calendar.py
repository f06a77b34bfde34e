"""What recruitment puts on a panel member's calendar: the interviews on their panels, as
CLASS:PRIVATE events naming the candidate by reference only. The feed shows those the panel
member's choice of invites, feed or both puts there (``calendar.delivery``): an interview whose
invite is in their mail calendar is left out, so it never shows twice; the My calendar page
lists them all. Applicants have no feed: they always get invites (``invites``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from peerwork.calendar import delivery, ical
from peerwork.calendar.providers import CalendarProvider, FingerprintPart
from peerwork.community.calendar_choice import calendar_delivery
from peerwork.recruitment.invites import (
    calendar_event, choice_changed, interview_contexts, interview_uid, invite_states, panel_summary,
)
from peerwork.recruitment.tables import Application, PanelMember

__all__ = ["PROVIDER", "interview_uid", "panel_interview_events"]


async def panel_interview_events(account_id: UUID, since: datetime | None = None, *,
                                 for_feed: bool = True) -> list[ical.CalEvent]:
    vacancy_ids = await PanelMember.select(PanelMember.vacancy).where(PanelMember.account == account_id).output(
        as_list=True)
    if not vacancy_ids:
        return []
    mine = Application.vacancy.is_in(vacancy_ids) & Application.slot.is_not_null()
    if since is not None:
        mine &= Application.slot.end > since
    rows = await interview_contexts().where(mine)
    mode = await calendar_delivery(account_id) if for_feed else "both"  # a page lists them all
    states = await invite_states(account_id, [r["id"] for r in rows]) if mode != "both" else {}
    return [calendar_event(r, panel_summary(r), stamp=r["booked_at"] or r["start"]) for r in rows
            if delivery.in_feed(mode, states.get(r["id"]))]


_PANELS = ("FROM application a JOIN panel_member p ON p.vacancy = a.vacancy "
           "WHERE p.account = {account} AND a.slot IS NOT NULL")

# Booking, moving and cancelling an interview each change the count or raise the sequence;
# joining or leaving a panel changes the count; moving a copy between invite and feed moves the
# counts of feed-side and invited copies (and raises the sequence), and the choice itself is
# community's "delivery" part.
PROVIDER = CalendarProvider(
    name="recruitment",
    events=panel_interview_events,
    fingerprint=(
        FingerprintPart("interviews", f"SELECT COUNT(*) {_PANELS}"),
        FingerprintPart("sequences", f"SELECT COALESCE(SUM(a.interview_sequence), 0) {_PANELS}"),
        FingerprintPart("latest_interview", f"SELECT MAX(a.booked_at) {_PANELS}"),
        FingerprintPart("feed_copies", "SELECT COUNT(*) FROM interview_invite "
                                       "WHERE account = {account} AND invite_state IS NULL"),
        FingerprintPart("invited", "SELECT COUNT(*) FROM interview_invite "
                                   "WHERE account = {account} AND invite_state IS NOT NULL"),
    ),
    choice_changed=choice_changed,
)
