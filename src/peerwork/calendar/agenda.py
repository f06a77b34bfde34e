"""A person's coming events as a page lists them ("My calendar").

Built from every capability's provider through the very function the private feed uses
(``feeds.personal_events``), so the page and the feed list the same events: bookings,
supervision sessions, interviews, and whatever a new capability adds. The one difference is
by design: the page lists every booking, the feed only those not sent as invites.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from peerwork.calendar import feeds
from peerwork.calendar.ical import CalEvent
from peerwork.calendar.providers import CalendarProvider
from peerwork.core.settings import current_settings
from peerwork.core.time import now

STATE = {"CONFIRMED": "confirmed", "TENTATIVE": "waiting list", "CANCELLED": "cancelled"}


@dataclass(frozen=True)
class AgendaItem:
    uid: str
    summary: str
    start: datetime
    end: datetime
    state: str  # confirmed, waiting list, cancelled
    location: str | None
    link: str | None  # a path on this site, when the event has a page here


def _on_this_site(url: str | None) -> str | None:
    site = current_settings().site_url
    if url and url.startswith(site + "/"):
        return url.removeprefix(site)
    return None


def agenda_item(event: CalEvent) -> AgendaItem:
    return AgendaItem(uid=event.uid, summary=event.summary, start=event.start, end=event.end,
                      state=STATE.get(event.status, event.status.lower()), location=event.location,
                      link=_on_this_site(event.url))


async def coming_up(account_id: UUID, providers: Sequence[CalendarProvider]) -> list[AgendaItem]:
    """The feed's events that have not ended yet, earliest first."""
    current = now()
    # Every booking, however it reaches their calendar app (invite or feed): the page is the
    # whole picture, where the feed leaves out what came as an invite.
    events = await feeds.personal_events(account_id, providers, for_feed=False)
    events = [e for e in events if e.end > current]
    return [agenda_item(e) for e in sorted(events, key=lambda e: (e.start, e.uid))]
