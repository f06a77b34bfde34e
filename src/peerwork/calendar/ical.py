"""iCalendar bytes from plain domain values: personal feeds, organisation feeds, invites. Pure.

Every output is a function of its inputs only: no random UIDs, no "now" stamps. The same rows
give the same bytes, so a feed's ETag stays put until something really changed.

Times are written as Europe/London wall-clock time with ``TZID=Europe/London`` and our own
compact, RRULE-based VTIMEZONE: icalendar's own is RDATE-based, ends in 2038 and puts a COMMENT
inside VTIMEZONE, which libical flags and some clients misread (docs/http-and-calendar.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from peerwork.core.lazy import deferred
from peerwork.core.time import in_london

icalendar = deferred("icalendar")  # loaded by the first calendar file, not at start-up

PRODID = "-//peerwork//peerwork//EN"
_EVENT_STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})
_PARTSTATS = frozenset({"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED"})
_METHODS = frozenset({"REQUEST", "CANCEL"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _aware(value: datetime, what: str) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {value!r}")


def _span(start: datetime, end: datetime, what: str) -> None:
    _aware(start, f"{what} start")
    _aware(end, f"{what} end")
    if end <= start:
        raise ValueError(f"{what} ends ({end.isoformat()}) before it starts ({start.isoformat()})")


def _uid(uid: str) -> None:
    # Event.new(uid="") writes an empty UID rather than refusing it.
    if not uid.strip():
        raise ValueError("an event needs a non-empty uid")


def _status(status: str, what: str) -> None:
    if status not in _EVENT_STATUSES:
        raise ValueError(f"{what} status {status!r} is not one of {sorted(_EVENT_STATUSES)}")


@dataclass(frozen=True)
class Person:
    """An organiser or attendee."""

    email: str
    name: str
    # The address that really sends, when it is not ``email`` (RFC 5545 SENT-BY): an invite
    # whose ORGANIZER is a reply address is sent by the service's own address.
    sent_by: str | None = None

    def __post_init__(self) -> None:
        # A CR/LF or colon here would end up inside a content line of someone's invite.
        for address in (self.email, self.sent_by or "x@x"):
            if "@" not in address or any(c in address for c in " \r\n:\""):
                raise ValueError(f"{address!r} is not an email address")


@dataclass(frozen=True)
class CalEvent:
    """One dated event: an occurrence, a supervision session, an interview."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    stamp: datetime
    sequence: int = 0
    description: str = ""
    location: str | None = None
    url: str | None = None
    status: str = "CONFIRMED"
    private: bool = False
    recurrence_id: datetime | None = None

    def __post_init__(self) -> None:
        _uid(self.uid)
        _span(self.start, self.end, f"event {self.uid}")
        _aware(self.stamp, f"event {self.uid} stamp")
        _status(self.status, f"event {self.uid}")
        if self.recurrence_id is not None:
            _aware(self.recurrence_id, f"event {self.uid} recurrence_id")


@dataclass(frozen=True)
class Override:
    """A moved or changed single occurrence of a series."""

    original_start: datetime
    start: datetime
    end: datetime
    sequence: int
    location: str | None = None
    status: str = "CONFIRMED"

    def __post_init__(self) -> None:
        _aware(self.original_start, "override original_start")
        _span(self.start, self.end, "override")
        _status(self.status, "override")


@dataclass(frozen=True)
class CalSeries:
    """An event series with an RFC 5545 recurrence, expanded in Europe/London."""

    uid: str
    summary: str
    first_start: datetime
    duration: timedelta
    rrule: str
    stamp: datetime
    sequence: int = 0
    description: str = ""
    location: str | None = None
    url: str | None = None
    exdates: tuple[datetime, ...] = ()
    overrides: tuple[Override, ...] = ()

    def __post_init__(self) -> None:
        _uid(self.uid)
        _aware(self.first_start, f"series {self.uid} first_start")
        _aware(self.stamp, f"series {self.uid} stamp")
        if self.duration <= timedelta(0):
            raise ValueError(f"series {self.uid} duration must be positive, got {self.duration}")
        _recur(self.rrule)  # fail here, where the caller can see which series is wrong
        for exdate in self.exdates:
            _aware(exdate, f"series {self.uid} exdate")
        seen = set(self.exdates)  # cancelled and moved at once: clients disagree on the winner
        for override in self.overrides:
            # Google ignores an override whose SEQUENCE is not above the series' SEQUENCE.
            if override.sequence <= self.sequence:
                raise ValueError(
                    f"series {self.uid}: override of {override.original_start.isoformat()} has "
                    f"sequence {override.sequence}, which must be above the series' {self.sequence}"
                )
            if override.original_start in seen:
                raise ValueError(
                    f"series {self.uid}: {override.original_start.isoformat()} is overridden twice"
                    " or both overridden and cancelled"
                )
            seen.add(override.original_start)


def _recur(rule: str) -> icalendar.vRecur:
    value = rule.strip().removeprefix("RRULE:")
    try:
        recur = icalendar.vRecur.from_ical(value)
    except ValueError as exc:
        raise ValueError(f"{rule!r} is not an RRULE: {exc}") from None
    # vRecur.from_ical("garbage") returns an empty rule rather than raising.
    if "FREQ" not in recur:
        raise ValueError(f"{rule!r} is not an RRULE (e.g. FREQ=MONTHLY;BYDAY=1TU)")
    if "UNTIL" in recur and "COUNT" in recur:
        raise ValueError(f"{rule!r} has both UNTIL and COUNT, which RFC 5545 forbids")
    for until in recur.get("UNTIL", []):
        # With a TZID on DTSTART, RFC 5545 wants UNTIL in UTC; a date or floating time is read
        # differently by different clients, so the last occurrence would come and go.
        if not isinstance(until, datetime) or until.utcoffset() != timedelta(0):
            raise ValueError(f"{rule!r}: UNTIL must be a UTC date-time (e.g. 20271231T235959Z)")
    return recur


def london_timezone() -> icalendar.Timezone:
    """The Europe/London VTIMEZONE, as two yearly rules (last Sunday of March/October, 01:00 UTC).

    icalendar's generated zone is a list of RDATEs that vobject and Outlook misread; this
    compact form is what Google and Outlook publish themselves.
    """
    daylight = icalendar.TimezoneDaylight()
    daylight.add("tzname", "BST")
    daylight.add("dtstart", datetime(1970, 3, 29, 1, 0))  # 01:00 GMT, local time before the change
    daylight.add("rrule", {"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"})
    daylight.add("tzoffsetfrom", timedelta(0))
    daylight.add("tzoffsetto", timedelta(hours=1))
    standard = icalendar.TimezoneStandard()
    standard.add("tzname", "GMT")
    standard.add("dtstart", datetime(1970, 10, 25, 2, 0))  # 02:00 BST, local time before the change
    standard.add("rrule", {"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"})
    standard.add("tzoffsetfrom", timedelta(hours=1))
    standard.add("tzoffsetto", timedelta(0))
    zone = icalendar.Timezone()
    zone.add("tzid", "Europe/London")
    zone.add_component(daylight)
    zone.add_component(standard)
    return zone


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _component(event: CalEvent, *, status: str | None = None) -> icalendar.Event:
    rid = event.recurrence_id
    return icalendar.Event.new(
        uid=event.uid,
        summary=event.summary,
        start=in_london(event.start),
        end=in_london(event.end),
        stamp=_utc(event.stamp),
        last_modified=_utc(event.stamp),
        sequence=event.sequence,
        description=event.description or None,
        location=event.location,
        url=event.url,
        status=status or event.status,
        recurrence_id=in_london(rid) if rid is not None else None,
        classification="PRIVATE" if event.private else None,
    )


def _series_components(series: CalSeries) -> list[icalendar.Event]:
    first = in_london(series.first_start)
    common = {"uid": series.uid, "summary": series.summary, "stamp": series.stamp,
              "description": series.description, "url": series.url}
    # Wall-clock addition (zoneinfo's rule), so DTEND is as local as DTSTART.
    master = _component(CalEvent(start=first, end=first + series.duration,
                                 sequence=series.sequence, location=series.location, **common))
    master.add("rrule", _recur(series.rrule))
    if series.exdates:
        # One EXDATE line, same TZID and wall-clock time as DTSTART, or clients miss the match.
        master.add("exdate", sorted({in_london(d) for d in series.exdates}))
    overrides = [
        CalEvent(start=o.start, end=o.end, sequence=o.sequence, status=o.status,
                 location=o.location if o.location is not None else series.location,
                 recurrence_id=o.original_start, **common)
        for o in sorted(series.overrides, key=lambda o: o.original_start)
    ]
    return [master, *(_component(o) for o in overrides)]


def _calendar(
    *, method: str | None = None, name: str | None = None, feed_uid: str | None = None
) -> icalendar.Calendar:
    cal = icalendar.Calendar.new(prodid=PRODID, method=method, name=name, uid=feed_uid)
    if feed_uid is None:
        del cal["UID"]  # Calendar.new(uid=None) invents a random one, and the bytes would change
    if name is not None:
        # Calendar.new(refresh_interval=...) drops the VALUE=DURATION that RFC 7986 requires.
        cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
    cal.add_component(london_timezone())
    return cal


def _add_all(cal: icalendar.Calendar, events: list[icalendar.Event]) -> bytes:
    seen: set[tuple[str, datetime | None]] = set()
    for event in events:
        rid = event.get("RECURRENCE-ID")
        key = (str(event["UID"]), rid.dt if rid is not None else None)
        if key in seen:  # clients keep one of the two at random
            raise ValueError(f"two events with UID {key[0]!r} and the same RECURRENCE-ID")
        seen.add(key)
        cal.add_component(event)
    return cal.to_ical()


def personal_feed(name: str, events: Iterable[CalEvent], *, feed_uid: str) -> bytes:
    """A person's subscription feed: no METHOD, no ORGANIZER/ATTENDEE, so nobody's address."""
    ordered = sorted(events, key=lambda e: (_utc(e.start), e.uid, _utc(e.recurrence_id or _EPOCH)))
    return _add_all(_calendar(name=name, feed_uid=feed_uid), [_component(e) for e in ordered])


def organisation_feed(name: str, series: Iterable[CalSeries], *, feed_uid: str) -> bytes:
    """An organisation's feed: one RRULE VEVENT per series, then its RECURRENCE-ID overrides."""
    ordered = sorted(series, key=lambda s: (_utc(s.first_start), s.uid))
    components = [c for one in ordered for c in _series_components(one)]
    return _add_all(_calendar(name=name, feed_uid=feed_uid), components)


def _address(person: Person, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = person.name
    if person.sent_by:
        address.params["SENT-BY"] = f"mailto:{person.sent_by}"
    address.params.update(params)
    return address


def invite(
    method: str, event: CalEvent, *, organizer: Person, attendee: Person, partstat: str = "ACCEPTED",
    rsvp: bool = False,
) -> bytes:
    """An RFC 5546 REQUEST or CANCEL for one attendee.

    The caller keeps the UID and raises ``event.sequence`` on every significant change and on
    cancelling; a CANCEL is always written with STATUS:CANCELLED. ``rsvp`` asks the calendar
    app to send its answer (a REPLY) to the ORGANIZER: only when someone reads replies.
    """
    if method not in _METHODS:
        raise ValueError(f"method {method!r} is not one of {sorted(_METHODS)}")
    if partstat not in _PARTSTATS:
        raise ValueError(f"partstat {partstat!r} is not one of {sorted(_PARTSTATS)}")
    if method == "REQUEST" and event.status == "CANCELLED":
        raise ValueError(f"event {event.uid} is cancelled: send a CANCEL, not a REQUEST")
    component = _component(event, status="CANCELLED" if method == "CANCEL" else None)
    component.add("organizer", _address(organizer))
    attendee_params = {"ROLE": "REQ-PARTICIPANT", "PARTSTAT": partstat, "RSVP": "TRUE" if rsvp else "FALSE"}
    component.add("attendee", _address(attendee, **attendee_params))
    return _add_all(_calendar(method=method), [component])
