"""Private calendar feeds: a personal one per account, a community one per organisation.

The events come from the providers each capability registers (see ``providers``); this module
knows the links, the cache key and the bytes, never a capability.

The URL carries 256 random bits; only their SHA-256 is stored, so a new link can be issued
(which revokes the old one) but an old one can never be shown again.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from peerwork.calendar import ical
from peerwork.calendar.providers import CalendarProvider, fingerprint_query
from peerwork.calendar.tables import CalendarFeed
from peerwork.core.db import transaction
from peerwork.core.errors import NotFound
from peerwork.core.settings import current_settings
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.tables import Organisation
from peerwork.core.time import now

PAST_DAYS = 90  # past events stay in the feed this long, then drop off
# A called-off event stays in personal feeds this long, marked STATUS:CANCELLED, so calendar
# apps that poll rarely (Google: about daily) or a laptop shut for a long weekend still see it
# cancelled rather than keeping their last copy; then it drops off.
CANCELLED_GRACE = timedelta(days=7)
_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)  # Last-Modified of an empty feed



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


async def fingerprint_for_token(token: str, providers: Sequence[CalendarProvider]) -> tuple["FeedKey", str, datetime]:
    """The feed's key and current fingerprint, from a short-lived per-instance memo."""
    digest = _digest(token)
    memo = _fresh.get(digest)
    if memo is not None and memo[0] > time.monotonic():
        return memo[1], memo[2], memo[3]
    key = await feed_key(token)
    fingerprint, latest = await validator(key, providers)
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
    return max(known, default=_EPOCH)


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


async def validator(key: FeedKey, providers: Sequence[CalendarProvider]) -> tuple[str, datetime]:
    """A cheap fingerprint of everything a feed's bytes depend on (counts, sequences and latest
    change times, from every provider in one statement), so a calendar app polling with
    If-None-Match gets its 304 without the feed being built."""
    if key.account is None:
        parts = [(p.name, part) for p in providers for part in p.organisation_fingerprint]
        values: dict[str, Any] = {"organisation": key.organisation}
    else:
        parts = [(p.name, part) for p in providers for part in p.fingerprint]
        values = {"account": key.account, "since": now() - timedelta(days=PAST_DAYS),
                  "cancelled_since": now() - CANCELLED_GRACE}
    row = (await CalendarFeed.raw(*_query(parts, values)))[0] if parts else {}
    fingerprint = "|".join([str(v) for v in row.values()] + [current_settings().site_url, str(key.id)])
    latest = _latest(*(row[f"{name}_{part.name}"] for name, part in parts if part.name.startswith("latest")))
    return fingerprint, latest


def _query(parts, values) -> tuple[str, ...]:
    sql, params = fingerprint_query(parts, values)
    return (sql, *params)


_rendered: OrderedDict[UUID, tuple[str, Feed]] = OrderedDict()
_CACHE_SIZE = 2048


async def render(key: FeedKey, fingerprint: str, providers: Sequence[CalendarProvider]) -> Feed:
    """The feed's bytes; kept per feed while its fingerprint holds (this instance only)."""
    cached = _rendered.get(key.id)
    if cached is not None and cached[0] == fingerprint:
        _rendered.move_to_end(key.id)
        return cached[1]
    if key.account is None:
        feed = await _organisation_feed(key.organisation, key.id, providers)
    else:
        feed = await _personal_feed(key.account, key.id, providers)
    _rendered[key.id] = (fingerprint, feed)
    if len(_rendered) > _CACHE_SIZE:
        _rendered.popitem(last=False)
    return feed


async def personal_events(account_id: UUID, providers: Sequence[CalendarProvider], *,
                          for_feed: bool = True) -> list[ical.CalEvent]:
    """This person's events from every capability that has some: all of them (``for_feed``
    False, for a page), or those their choice of invites or feed puts in the feed."""
    since = now() - timedelta(days=PAST_DAYS)
    events: list[ical.CalEvent] = []
    for provider in providers:
        if provider.events is not None:
            events += await provider.events(account_id, since, for_feed=for_feed)
    return events


async def _personal_feed(account_id: UUID, feed_id: UUID, providers: Sequence[CalendarProvider]) -> Feed:
    events = await personal_events(account_id, providers)
    body = ical.personal_feed("peerwork: my calendar", events, feed_uid=f"feed-{feed_id}@peerwork")
    return Feed(body, max((e.stamp for e in events), default=_EPOCH))


async def _organisation_feed(organisation_id: UUID, feed_id: UUID, providers: Sequence[CalendarProvider]) -> Feed:
    org = await Organisation.select(Organisation.name).where(Organisation.id == organisation_id).first()
    series: list[ical.CalSeries] = []
    for provider in providers:
        if provider.series is not None:
            series += await provider.series(organisation_id)
    body = ical.organisation_feed(f"{org['name']}: community", series, feed_uid=f"feed-{feed_id}@peerwork")
    return Feed(body, max((s.stamp for s in series), default=_EPOCH))
