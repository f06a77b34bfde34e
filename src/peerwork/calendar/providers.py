"""What a capability gives the calendar: its events for a person (or an organisation), and its
part of the feed's cache key.

The feed never imports a capability; the app hands it the providers of every capability. A
provider cannot be built without its fingerprint, so a new kind of event cannot be left out
of the cache key (which would answer 304 with a stale feed after a change).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from peerwork.calendar.ical import CalEvent, CalSeries
from peerwork.calendar.imip import Reply, ReplyToken
from peerwork.core.db import named

_NAME = re.compile(r"^[a-z][a-z_]*$")


@dataclass(frozen=True)
class FingerprintPart:
    """One scalar SQL expression the feed's bytes depend on (a count, a sum of sequences, a
    latest change time). Placeholders: ``{account}``, ``{since}`` (the oldest end a feed shows)
    and ``{cancelled_since}`` (the oldest cancellation it still shows) in personal parts,
    ``{organisation}`` in organisation parts. A name starting ``latest`` is a change time and
    also sets the feed's Last-Modified."""

    name: str
    sql: str

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"fingerprint part name {self.name!r}: lower-case letters and underscores")


# ``events(account_id, since, for_feed=...)``: with ``for_feed`` False, everything on the
# person's calendar (a page); with True, only what their choice of invites or feed puts in the feed.
PersonalEvents = Callable[..., Awaitable[list[CalEvent]]]
OrganisationSeries = Callable[[UUID], Awaitable[list[CalSeries]]]
# Handles a REPLY that came to a reply address; True when the token was this capability's.
ReplyHandler = Callable[[ReplyToken, Reply], Awaitable[bool]]
# ``choice_changed(account_id, mode)``: the person chose another way for calendar items to reach
# them (``delivery``); move their coming items there, each with an email, and say how many moved.
ChoiceChanged = Callable[[UUID, str], Awaitable[int]]


@dataclass(frozen=True)
class CalendarProvider:
    """``events(account_id, since)`` lists a person's events ending after ``since``;
    ``series(organisation_id)`` lists an organisation's open series for its community feed;
    ``reply`` acts on answers to the invites it sends with a reply address (``imip``);
    ``choice_changed`` moves a person's items when their choice of invites or feed changes."""

    name: str
    events: PersonalEvents | None = None
    fingerprint: tuple[FingerprintPart, ...] = ()
    series: OrganisationSeries | None = None
    organisation_fingerprint: tuple[FingerprintPart, ...] = ()
    reply: ReplyHandler | None = None
    choice_changed: ChoiceChanged | None = None

    def __post_init__(self) -> None:
        if self.events is not None and not self.fingerprint:
            raise ValueError(f"calendar provider {self.name!r} gives personal events without a fingerprint")
        if self.series is not None and not self.organisation_fingerprint:
            raise ValueError(f"calendar provider {self.name!r} gives series without an organisation fingerprint")


def fingerprint_query(parts: Sequence[tuple[str, FingerprintPart]], values: dict[str, Any]) -> tuple[str, list[Any]]:
    """One SELECT of every part (one round trip), with its positional parameters in order."""
    columns = [f"({part.sql}) AS {prefix}_{part.name}" for prefix, part in parts]
    return named("SELECT " + ", ".join(columns), **values)
