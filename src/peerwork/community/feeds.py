"""Private calendar feeds: a personal one per account, a community one per organisation.

The URL carries 256 random bits; only their SHA-256 is stored, so a new link can be issued
(which revokes the old one) but an old one can never be shown again.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
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
        forget_fingerprints()
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
    forget_fingerprints()
    await audit.record(principal, "revoke", "calendar_feed", None)


async def feed_created_at(principal: Principal) -> datetime | None:
    row = await CalendarFeed.select(CalendarFeed.created_at).where(
        (CalendarFeed.account == principal.account_id) & CalendarFeed.revoked_at.is_null()
    ).first()
    return row["created_at"] if row else None


@dataclass(frozen=True)
class FeedKey:
    id: UUID
    organisation: UUID
    account: UUID | None


# Calendar apps poll hourly at most, so a fingerprint a few seconds old is as good as a fresh one;
# keeping it briefly lets a burst of polls be answered 304 without touching the database. A
# revoked link can therefore work for up to FRESH_SECONDS more on an instance that just used it.
FRESH_SECONDS = 10
_fresh: OrderedDict[str, tuple[float, "FeedKey", str, datetime]] = OrderedDict()


async def fingerprint_for_token(token: str) -> tuple["FeedKey", str, datetime]:
    """The feed's key and current fingerprint, from a short-lived per-instance memo."""
    digest = _digest(token)
    memo = _fresh.get(digest)
    if memo is not None and memo[0] > time.monotonic():
        return memo[1], memo[2], memo[3]
    key = await feed_key(token)
    fingerprint, latest = await validator(key)
    _fresh[digest] = (time.monotonic() + FRESH_SECONDS, key, fingerprint, latest)
    _fresh.move_to_end(digest)
    if len(_fresh) > _CACHE_SIZE:
        _fresh.popitem(last=False)
    return key, fingerprint, latest


def forget_fingerprints() -> None:
    """After a revocation or change made by this instance, answer from the database again."""
    _fresh.clear()


async def feed_key(token: str) -> FeedKey:
    row = await CalendarFeed.select(CalendarFeed.id, CalendarFeed.organisation, CalendarFeed.account).where(
        (CalendarFeed.token_hash == _digest(token)) & CalendarFeed.revoked_at.is_null()
    ).first()
    if row is None:
        raise NotFound("No such calendar.")
    return FeedKey(row["id"], row["organisation"], row["account"])


def _latest(*stamps: Any) -> datetime:
    known = [_aware(s) for s in stamps if s is not None]
    return max(known, default=datetime(2026, 1, 1, tzinfo=timezone.utc))


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


async def validator(key: FeedKey) -> tuple[str, datetime]:
    """A cheap fingerprint of everything a feed's bytes depend on (counts and latest change
    times), so a calendar app polling with If-None-Match gets its 304 without the feed being
    built. Every change to a booking, occurrence, series or session moves an updated_at."""
    since = now() - timedelta(days=PAST_DAYS)
    if key.account is None:
        rows = await EventSeries.raw(_ORGANISATION_VALIDATOR, key.organisation)
    else:
        me = key.account
        rows = await Booking.raw(_PERSONAL_VALIDATOR, me, since, me, me, me, me, me, me, since, me, me, me)
    row = rows[0]
    parts = [str(v) for v in row.values()] + [current_settings().site_url, str(key.id)]
    latest = _latest(*(v for k, v in row.items() if k.startswith("latest")))
    return "|".join(parts), latest


_PERSONAL_VALIDATOR = """
SELECT
  (SELECT COUNT(*) FROM booking b JOIN occurrence o ON o.id = b.occurrence
     WHERE b.account = {} AND b.status <> 'cancelled' AND o."end" > {}) AS bookings,
  (SELECT MAX(b.updated_at) FROM booking b WHERE b.account = {}) AS latest_booking,
  (SELECT MAX(o.updated_at) FROM booking b JOIN occurrence o ON o.id = b.occurrence WHERE b.account = {})
     AS latest_occurrence,
  (SELECT MAX(s.updated_at) FROM booking b JOIN occurrence o ON o.id = b.occurrence
     JOIN event_series s ON s.id = o.series WHERE b.account = {}) AS latest_series,
  (SELECT COUNT(*) FROM supervision_session ss JOIN supervision_agreement a ON a.id = ss.agreement
     WHERE (ss.supervisor = {} OR ss.supervisee = {}
            OR a.peer_group IN (SELECT peer_group FROM group_member WHERE account = {}))
       AND ss."end" > {}) AS sessions,
  (SELECT MAX(ss.updated_at) FROM supervision_session ss JOIN supervision_agreement a ON a.id = ss.agreement
     WHERE ss.supervisor = {} OR ss.supervisee = {}
        OR a.peer_group IN (SELECT peer_group FROM group_member WHERE account = {})) AS latest_session
"""

_ORGANISATION_VALIDATOR = """
SELECT COUNT(*) AS occurrences, MAX(s.updated_at) AS latest_series, MAX(o.updated_at) AS latest_occurrence,
       COUNT(DISTINCT s.id) AS series
FROM event_series s LEFT JOIN occurrence o ON o.series = s.id
WHERE s.organisation = {} AND s.status = 'open'
"""

_rendered: OrderedDict[UUID, tuple[str, Feed]] = OrderedDict()
_CACHE_SIZE = 2048


async def render(key: FeedKey, fingerprint: str) -> Feed:
    """The feed's bytes; kept per feed while its fingerprint holds (this instance only)."""
    cached = _rendered.get(key.id)
    if cached is not None and cached[0] == fingerprint:
        _rendered.move_to_end(key.id)
        return cached[1]
    if key.account is None:
        feed = await _organisation_feed(key.organisation, key.id)
    else:
        feed = await _personal_feed(key.account, key.id)
    _rendered[key.id] = (fingerprint, feed)
    if len(_rendered) > _CACHE_SIZE:
        _rendered.popitem(last=False)
    return feed


async def feed_for_token(token: str) -> Feed:
    key, fingerprint, _ = await fingerprint_for_token(token)
    return await render(key, fingerprint)


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
    from peerwork.recruitment.interviews import panel_interview_events

    return events + await supervision_events(account_id) + await panel_interview_events(account_id)


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
