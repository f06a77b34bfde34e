"""Private calendar feeds: a personal one per account, a community one per organisation.

The URL carries 256 random bits; only their SHA-256 is stored, so a new link can be issued
(which revokes the old one) but an old one can never be shown again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import UUID

from peerwork.community import ical
from peerwork.community.notify import booking_contexts, calendar_event, occurrence_uid
from peerwork.community.tables import Booking, CalendarFeed, EventSeries, Occurrence
from peerwork.db import transaction
from peerwork.errors import NotFound
from peerwork.settings import current_settings
from peerwork.workforce import audit
from peerwork.workforce.access import Principal
from peerwork.workforce.tables import Organisation

PAST_DAYS = 90  # past bookings stay in the feed this long, then drop off


def now() -> datetime:
    return datetime.now(timezone.utc)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return f"{current_settings().site_url}/calendar/{token}.ics"


@dataclass(frozen=True)
class Feed:
    body: bytes
    last_modified: datetime


async def issue_feed(principal: Principal, *, organisation_feed: bool = False) -> tuple[str, datetime]:
    """A new secret feed URL; any earlier one of the same kind stops working."""
    if organisation_feed:
        principal.require("community:manage")
    account = None if organisation_feed else principal.account_id
    token = secrets.token_urlsafe(32)
    async with transaction():
        condition = (CalendarFeed.organisation == principal.organisation_id) & CalendarFeed.revoked_at.is_null()
        condition &= CalendarFeed.account.is_null() if account is None else CalendarFeed.account == account
        await CalendarFeed.update({CalendarFeed.revoked_at: now()}).where(condition)
        row = CalendarFeed(organisation=principal.organisation_id, account=account, token_hash=_digest(token))
        await row.save()
        await audit.record(principal, "create", "calendar_feed", row.id, kind="organisation" if account is None else "personal")
    return feed_url(token), row.created_at


async def revoke_feed(principal: Principal, *, organisation_feed: bool = False) -> None:
    if organisation_feed:
        principal.require("community:manage")
    condition = (CalendarFeed.organisation == principal.organisation_id) & CalendarFeed.revoked_at.is_null()
    condition &= CalendarFeed.account.is_null() if organisation_feed else CalendarFeed.account == principal.account_id
    await CalendarFeed.update({CalendarFeed.revoked_at: now()}).where(condition)
    await audit.record(principal, "revoke", "calendar_feed", None)


async def feed_created_at(principal: Principal) -> datetime | None:
    row = await CalendarFeed.select(CalendarFeed.created_at).where(
        (CalendarFeed.account == principal.account_id) & CalendarFeed.revoked_at.is_null()
    ).first()
    return row["created_at"] if row else None


async def feed_for_token(token: str) -> Feed:
    row = await CalendarFeed.select(CalendarFeed.id, CalendarFeed.organisation, CalendarFeed.account).where(
        (CalendarFeed.token_hash == _digest(token)) & CalendarFeed.revoked_at.is_null()
    ).first()
    if row is None:
        raise NotFound("No such calendar.")
    if row["account"] is None:
        return await _organisation_feed(row["organisation"], row["id"])
    return await _personal_feed(row["account"], row["id"])


async def personal_events(account_id: UUID) -> list[ical.CalEvent]:
    """This person's booked occurrences. Other domains add theirs (supervision, interviews)."""
    rows = await booking_contexts().where(
        (Booking.account == account_id) & (Booking.status != "cancelled")
        & (Booking.occurrence.end > now() - timedelta(days=PAST_DAYS))
    )
    events = []
    for b in rows:
        status = {"confirmed": "CONFIRMED", "waitlisted": "TENTATIVE"}[b["status"]]
        if b["occurrence.status"] == "cancelled":
            status = "CANCELLED"
        event = calendar_event(b, status=status)
        if b["status"] == "waitlisted":
            event = ical.CalEvent(**{**event.__dict__, "summary": f"{event.summary} (waiting list)"})
        events.append(event)
    return events + await supervision_events(account_id)


async def supervision_events(account_id: UUID) -> list[ical.CalEvent]:
    """Supervision sessions as CLASS:PRIVATE events (no notes, no other person's details)."""
    from peerwork.supervision.notify import calendar_event as session_event, session_contexts
    from peerwork.supervision.tables import GroupMember, SupervisionSession

    groups = await GroupMember.select(GroupMember.peer_group).where(GroupMember.account == account_id).output(as_list=True)
    mine = (SupervisionSession.supervisor == account_id) | (SupervisionSession.supervisee == account_id)
    if groups:
        mine |= SupervisionSession.agreement.peer_group.is_in(groups)
    rows = await session_contexts().where(
        mine & SupervisionSession.status.is_in(["scheduled", "held", "cancelled"])
        & (SupervisionSession.end > now() - timedelta(days=PAST_DAYS))
    )
    events = [session_event(s, cancelled=s["status"] == "cancelled") for s in rows]
    return events


async def _personal_feed(account_id: UUID, feed_id: UUID) -> Feed:
    events = await personal_events(account_id)
    body = ical.personal_feed("peerwork: my calendar", events, feed_uid=f"feed-{feed_id}@peerwork")
    return Feed(body, max((e.stamp for e in events), default=datetime(2026, 1, 1, tzinfo=timezone.utc)))


async def _organisation_feed(organisation_id: UUID, feed_id: UUID) -> Feed:
    org = await Organisation.select(Organisation.name).where(Organisation.id == organisation_id).first()
    series_rows = await EventSeries.select().where(
        (EventSeries.organisation == organisation_id) & (EventSeries.status == "open")
    ).order_by(EventSeries.first_start)
    series = []
    for s in series_rows:
        occurrences = await Occurrence.select().where(Occurrence.series == s["id"])
        cancelled = tuple(o["original_start"] for o in occurrences if o["status"] == "cancelled")
        overrides = tuple(
            ical.Override(original_start=o["original_start"], start=o["start"], end=o["end"],
                          sequence=s["sequence"] + max(o["sequence"], 1), location=o["location"])
            for o in occurrences
            if o["status"] == "scheduled" and (o["start"] != o["original_start"] or o["location"])
        )
        stamps = [s["updated_at"], *(o["updated_at"] for o in occurrences)]
        series.append(ical.CalSeries(
            uid=f"series-{s['id']}@peerwork", summary=s["title"], first_start=s["first_start"],
            duration=timedelta(minutes=s["duration_minutes"]), rrule=s["rrule"], stamp=max(stamps),
            sequence=s["sequence"], description=s["description"] or "",
            location=s["location"] or s["online_link"], url=s["online_link"], exdates=cancelled, overrides=overrides,
        ))
    body = ical.organisation_feed(f"{org['name']}: community", series, feed_uid=f"feed-{feed_id}@peerwork")
    return Feed(body, max((s.stamp for s in series), default=datetime(2026, 1, 1, tzinfo=timezone.utc)))


__all__ = ["occurrence_uid"]
