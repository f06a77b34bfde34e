"""What recruitment puts on a panel member's calendar: the interviews on their panels, as
CLASS:PRIVATE events naming the candidate by reference only."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from peerwork.calendar import ical
from peerwork.calendar.providers import CalendarProvider, FingerprintPart
from peerwork.recruitment.tables import Application, PanelMember


def interview_uid(application_id: UUID) -> str:
    return f"interview-{application_id}@peerwork"


async def panel_interview_events(account_id: UUID, since: datetime | None = None, *,
                                 for_feed: bool = True) -> list[ical.CalEvent]:
    vacancy_ids = await PanelMember.select(PanelMember.vacancy).where(PanelMember.account == account_id).output(
        as_list=True)
    if not vacancy_ids:
        return []
    rows = await Application.select(
        Application.id, Application.reference, Application.interview_sequence, Application.booked_at,
        Application.vacancy.title.as_alias("title"), Application.slot.start.as_alias("start"),
        Application.slot.end.as_alias("end"), Application.slot.location.as_alias("location"),
    ).where(Application.vacancy.is_in(vacancy_ids) & Application.slot.is_not_null())
    return [ical.CalEvent(uid=interview_uid(r["id"]), summary=f"Interview: {r['title']} (candidate {r['reference']})",
                          start=r["start"], end=r["end"], stamp=r["booked_at"] or r["start"],
                          sequence=r["interview_sequence"], location=r["location"] or None, private=True)
            for r in rows]


_PANELS = ("FROM application a JOIN panel_member p ON p.vacancy = a.vacancy "
           "WHERE p.account = {account} AND a.slot IS NOT NULL")

# Booking, moving and cancelling an interview each change the count or raise the sequence;
# joining or leaving a panel changes the count.
PROVIDER = CalendarProvider(
    name="recruitment",
    events=panel_interview_events,
    fingerprint=(
        FingerprintPart("interviews", f"SELECT COUNT(*) {_PANELS}"),
        FingerprintPart("sequences", f"SELECT COALESCE(SUM(a.interview_sequence), 0) {_PANELS}"),
        FingerprintPart("latest_interview", f"SELECT MAX(a.booked_at) {_PANELS}"),
    ),
)
