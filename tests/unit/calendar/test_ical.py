"""iCalendar output read back by other libraries: recurring-ical-events, vobject (and libical).

What a user would notice: a reflective space an hour off after the clocks change, a cancelled
session still in their calendar, a moved one in both places, a feed that re-downloads (or
leaks a colleague's address), an invite their mail client ignores.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject

from peerwork.calendar.ical import (
    CalEvent,
    CalSeries,
    Override,
    Person,
    invite,
    london_timezone,
    organisation_feed,
    personal_feed,
)

LONDON = ZoneInfo("Europe/London")
STAMP = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
ORGANISER = Person(email="spaces@trust.nhs.uk", name="Reflective Spaces, North Trust")
ATTENDEE = Person(email="sam.peer@example.org", name="Sam Peer")
YEAR_2027 = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))


def at(*parts: int, tz: ZoneInfo | type[UTC] = LONDON) -> datetime:
    return datetime(*parts, tzinfo=tz)  # type: ignore[arg-type]


def first_tuesdays(**changes: object) -> CalSeries:
    series = CalSeries(
        uid="series-7@peerwork",
        summary="Peer reflective space",
        first_start=at(2027, 1, 5, 13, 0),
        duration=timedelta(minutes=90),
        rrule="FREQ=MONTHLY;BYDAY=1TU;UNTIL=20271231T235959Z",
        stamp=STAMP,
        sequence=1,
        location="Room 4, Hope House",
    )
    return replace(series, **changes)


def weekdays() -> CalSeries:
    return CalSeries(
        uid="series-8@peerwork",
        summary="Check-out huddle",
        first_start=at(2027, 3, 1, 16, 30),
        duration=timedelta(minutes=30),
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        stamp=STAMP,
    )


def moved_september(sequence: int = 2) -> Override:
    return Override(
        original_start=at(2027, 9, 7, 12, 0, tz=UTC),  # 13:00 BST, as the caller may store it
        start=at(2027, 9, 8, 15, 0),
        end=at(2027, 9, 8, 16, 30),
        sequence=sequence,
        location="Garden room",
    )


def personal_events() -> list[CalEvent]:
    return [
        CalEvent(
            uid="occurrence-31@peerwork",
            summary="Peer reflective space",
            start=at(2027, 1, 5, 13, 0),
            end=at(2027, 1, 5, 14, 30),
            stamp=STAMP,
            location="Room 4, Hope House",
            url="https://peerwork.example/spaces/7",
        ),
        CalEvent(
            uid="supervision-12@peerwork",
            summary="Supervision",
            # Given in UTC: it must still be written as London wall-clock time (10:00 BST).
            start=at(2027, 7, 6, 9, 0, tz=UTC),
            end=at(2027, 7, 6, 10, 0, tz=UTC),
            stamp=STAMP,
            sequence=2,
            description="Monthly supervision with your supervisor",
            private=True,
        ),
        CalEvent(
            uid="interview-3@peerwork",
            summary="Interview: Peer Support Worker",
            start=at(2027, 3, 15, 11, 0),
            end=at(2027, 3, 15, 12, 0),
            stamp=STAMP,
            status="TENTATIVE",
        ),
    ]


def feed(events: list[CalEvent] | None = None) -> bytes:
    chosen = personal_events() if events is None else events
    return personal_feed("Sam's peerwork", chosen, feed_uid="feed-person-5@peerwork")


def booked(sequence: int = 0, recurrence_id: datetime | None = None) -> CalEvent:
    return CalEvent(
        uid="booking-44@peerwork",
        summary="Peer reflective space",
        start=at(2027, 7, 6, 13, 0),
        end=at(2027, 7, 6, 14, 30),
        stamp=STAMP,
        sequence=sequence,
        recurrence_id=recurrence_id,
    )


def expand(data: bytes, start: datetime, end: datetime) -> list[icalendar.Event]:
    return list(recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(start, end))


def utc_starts(events: list[icalendar.Event]) -> list[datetime]:
    return sorted(e["DTSTART"].dt.astimezone(UTC) for e in events)


def unfolded_lines(data: bytes) -> list[str]:
    return data.decode().replace("\r\n ", "").split("\r\n")


def vevent_lines(data: bytes) -> list[str]:
    inside, lines = False, []
    for line in unfolded_lines(data):
        inside = (inside or line == "BEGIN:VEVENT") and line != "END:VEVENT"
        lines += [line] if inside else []
    return lines


# --- recurrence across the clock changes -------------------------------------------------------


def test_first_tuesday_series_stays_at_13_00_london_all_year() -> None:
    data = organisation_feed("North Trust spaces", [first_tuesdays()], feed_uid="feed-org-1")

    occurrences = expand(data, *YEAR_2027)

    assert len(occurrences) == 12
    for event in occurrences:
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert start.astimezone(LONDON).time().isoformat() == "13:00:00"
        assert (start.weekday(), start.day <= 7) == (1, True)  # a first Tuesday
        assert end - start == timedelta(minutes=90)
        gmt = start.month in (1, 2, 3, 11, 12)  # the first Tuesdays of Mar/Nov 2027 are in GMT
        assert start.astimezone(UTC).hour == (13 if gmt else 12), start
    starts = utc_starts(occurrences)
    assert at(2027, 3, 2, 13, 0, tz=UTC) in starts  # before 28 March: still GMT
    assert at(2027, 4, 6, 12, 0, tz=UTC) in starts
    assert at(2027, 10, 5, 12, 0, tz=UTC) in starts
    assert at(2027, 11, 2, 13, 0, tz=UTC) in starts  # after 31 October: GMT again


@pytest.mark.parametrize(
    ("window", "expected_utc"),
    [
        pytest.param(
            (date(2027, 3, 26), date(2027, 4, 1)),  # clocks go forward on Sunday 28 March
            ["2027-03-26 16:30", "2027-03-29 15:30", "2027-03-30 15:30", "2027-03-31 15:30"],
            id="march",
        ),
        pytest.param(
            (date(2027, 10, 29), date(2027, 11, 3)),  # clocks go back on Sunday 31 October
            ["2027-10-29 15:30", "2027-11-01 16:30", "2027-11-02 16:30"],
            id="october",
        ),
    ],
)
def test_weekday_series_follows_the_last_sunday_clock_change(
    window: tuple[date, date], expected_utc: list[str]
) -> None:
    data = organisation_feed("North Trust spaces", [weekdays()], feed_uid="feed-org-1")
    start, end = (datetime.combine(d, datetime.min.time(), LONDON) for d in window)
    expected = [datetime.fromisoformat(s).replace(tzinfo=UTC) for s in expected_utc]

    assert utc_starts(expand(data, start, end)) == expected
    # vobject expands with a tzinfo built from our VTIMEZONE, not from the system's zoneinfo.
    rules = vobject.readOne(data.decode()).vevent.getrruleset(addRDate=True)
    assert [d.astimezone(UTC) for d in rules.between(start, end, inc=True)] == expected


def test_exdate_removes_only_the_cancelled_occurrence_and_override_moves_one() -> None:
    series = first_tuesdays(
        exdates=(at(2027, 6, 1, 12, 0, tz=UTC),),  # 13:00 BST; must match DTSTART's local time
        overrides=(moved_september(),),
    )
    data = organisation_feed("North Trust spaces", [series], feed_uid="feed-org-1")

    occurrences = expand(data, *YEAR_2027)
    starts = utc_starts(occurrences)

    assert len(occurrences) == 11
    assert at(2027, 6, 1, 12, 0, tz=UTC) not in starts
    assert {at(2027, 5, 4, 12, 0, tz=UTC), at(2027, 7, 6, 12, 0, tz=UTC)} <= set(starts)
    assert at(2027, 9, 7, 12, 0, tz=UTC) not in starts
    assert at(2027, 9, 8, 14, 0, tz=UTC) in starts
    (moved,) = [e for e in occurrences if e["DTSTART"].dt.month == 9]
    assert (moved["UID"], moved["LOCATION"]) == ("series-7@peerwork", "Garden room")
    (unmoved,) = [e for e in occurrences if e["DTSTART"].dt.month == 10]
    assert unmoved["LOCATION"] == "Room 4, Hope House"
    lines = vevent_lines(data)
    assert "EXDATE;TZID=Europe/London:20270601T130000" in lines
    assert "RECURRENCE-ID;TZID=Europe/London:20270907T130000" in lines
    # recurring-ical-events gives every occurrence the series' highest SEQUENCE, so read the
    # override's own SEQUENCE from the VEVENTs as written.
    master, override = vobject.readOne(data.decode()).vevent_list
    assert (master.sequence.value, override.sequence.value) == ("1", "2")
    assert override.recurrence_id.value == at(2027, 9, 7, 12, 0, tz=UTC)


@pytest.mark.parametrize("sequence", [0, 1])
def test_override_sequence_must_be_above_the_series(sequence: int) -> None:
    with pytest.raises(ValueError, match="must be above the series' 1"):
        first_tuesdays(sequence=1, overrides=(moved_september(sequence),))


# --- structure, read by vobject -------------------------------------------------------------


def test_london_vtimezone_matches_zoneinfo_around_every_change_to_2040() -> None:
    wrapper = icalendar.Calendar()
    wrapper.add_component(london_timezone())
    zone = vobject.readOne(wrapper.to_ical().decode()).vtimezone.gettzinfo()
    for year in range(2026, 2041):
        for month in (3, 10):
            last_sunday = max(d for d in range(25, 32) if date(year, month, d).weekday() == 6)
            change = at(year, month, last_sunday, 1, 0, tz=UTC)
            probes = [change + timedelta(minutes=m) for m in (-61, -1, 0, 59, 121)]
            probes.append(change - timedelta(days=60))
            for probe in probes:
                assert probe.astimezone(zone).utcoffset() == probe.astimezone(LONDON).utcoffset()


def test_personal_feed_is_valid_and_vobject_reads_london_offsets() -> None:
    data = feed()
    cal = vobject.readOne(data.decode())

    assert cal.version.value == "2.0"
    assert cal.prodid.value == "-//peerwork//peerwork//EN"
    assert [tz.tzid.value for tz in cal.vtimezone_list] == ["Europe/London"]
    assert data.count(b"BEGIN:VTIMEZONE") == 1
    assert len(cal.vevent_list) == 3
    for event in cal.vevent_list:
        assert event.uid.value
        assert event.dtstamp.value == STAMP
    for line in vevent_lines(data):
        if line.startswith(("DTSTART", "DTEND")):
            assert line.split(":")[0].endswith(";TZID=Europe/London"), line
        if line.startswith(("DTSTAMP", "LAST-MODIFIED")):
            assert line.endswith(":20261120T091500Z"), line
    by_uid = {e.uid.value: e for e in cal.vevent_list}
    january = by_uid["occurrence-31@peerwork"].dtstart.value
    july = by_uid["supervision-12@peerwork"].dtstart.value
    assert (january.hour, january.utcoffset()) == (13, timedelta(0))
    assert (july.hour, july.utcoffset()) == (10, timedelta(hours=1))  # RDATE zones fail here


def test_personal_feed_headers_privacy_and_line_format() -> None:
    data = feed()
    lines = unfolded_lines(data)

    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(raw) for raw in data.split(b"\r\n")) <= 75
    for expected in (
        "NAME:Sam's peerwork",
        "X-WR-CALNAME:Sam's peerwork",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "UID:feed-person-5@peerwork",
    ):
        assert expected in lines
    for forbidden in ("METHOD", "ATTENDEE", "ORGANIZER"):
        assert not any(line.startswith(forbidden) for line in lines), forbidden
    assert [line for line in lines if "@" in line and not line.startswith("UID:")] == []
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert [(e["UID"], e.get("CLASS")) for e in events] == [  # sorted by start
        ("occurrence-31@peerwork", None),
        ("interview-3@peerwork", None),
        ("supervision-12@peerwork", "PRIVATE"),
    ]


def test_feeds_are_byte_stable_and_change_when_an_event_changes() -> None:
    events = personal_events()
    assert feed() == feed() == feed(list(reversed(events)))
    rescheduled = replace(events[2], sequence=1, start=at(2027, 3, 15, 14), end=at(2027, 3, 15, 15))
    assert feed([events[0], events[1], rescheduled]) != feed()

    org = organisation_feed("Spaces", [weekdays(), first_tuesdays()], feed_uid="feed-org-1")
    assert org == organisation_feed("Spaces", [first_tuesdays(), weekdays()], feed_uid="feed-org-1")
    cancelled = first_tuesdays(exdates=(at(2027, 6, 1, 13, 0),))
    assert organisation_feed("Spaces", [weekdays(), cancelled], feed_uid="feed-org-1") != org


# --- invites ---------------------------------------------------------------------------------


def test_request_invite_names_organiser_and_attendee() -> None:
    data = invite("REQUEST", booked(), organizer=ORGANISER, attendee=ATTENDEE)
    cal = vobject.readOne(data.decode())

    assert data == invite("REQUEST", booked(), organizer=ORGANISER, attendee=ATTENDEE)
    assert cal.method.value == "REQUEST"
    assert cal.version.value == "2.0"
    assert [tz.tzid.value for tz in cal.vtimezone_list] == ["Europe/London"]
    event = cal.vevent
    assert event.organizer.value == "mailto:spaces@trust.nhs.uk"
    assert event.organizer.params["CN"] == ["Reflective Spaces, North Trust"]
    assert event.attendee.value == "mailto:sam.peer@example.org"
    assert dict(event.attendee.params) == {
        "CN": ["Sam Peer"],
        "ROLE": ["REQ-PARTICIPANT"],
        "PARTSTAT": ["ACCEPTED"],
        "RSVP": ["FALSE"],
    }
    assert event.status.value == "CONFIRMED"
    assert event.dtstamp.value == STAMP
    assert event.dtstart.value.utcoffset() == timedelta(hours=1)
    assert not hasattr(event, "recurrence_id")


def test_cancel_invite_keeps_uid_raises_sequence_and_can_target_one_occurrence() -> None:
    request = invite("REQUEST", booked(0), organizer=ORGANISER, attendee=ATTENDEE)
    original = at(2027, 7, 6, 12, 0, tz=UTC)
    cancel = invite(
        "CANCEL",
        booked(1, recurrence_id=original),
        organizer=ORGANISER,
        attendee=ATTENDEE,
        partstat="DECLINED",
    )
    sent, withdrawn = (vobject.readOne(data.decode()) for data in (request, cancel))

    assert withdrawn.method.value == "CANCEL"
    assert withdrawn.vevent.status.value == "CANCELLED"
    assert withdrawn.vevent.uid.value == sent.vevent.uid.value
    assert int(withdrawn.vevent.sequence.value) > int(sent.vevent.sequence.value)
    assert withdrawn.vevent.recurrence_id.value == original
    assert "RECURRENCE-ID;TZID=Europe/London:20270706T130000" in vevent_lines(cancel)
    assert withdrawn.vevent.attendee.params["PARTSTAT"] == ["DECLINED"]


BAD_VALUES: list[tuple[str, Callable[[], object], str]] = [
    (
        "unknown method",
        lambda: invite("PUBLISH", booked(), organizer=ORGANISER, attendee=ATTENDEE),
        "method 'PUBLISH'",
    ),
    (
        "unknown partstat",
        lambda: invite("REQUEST", booked(), organizer=ORGANISER, attendee=ATTENDEE, partstat="NO"),
        "partstat 'NO'",
    ),
    (
        "request for a cancelled event",
        lambda: invite(
            "REQUEST", replace(booked(), status="CANCELLED"), organizer=ORGANISER, attendee=ATTENDEE
        ),
        "send a CANCEL",
    ),
    ("line break in an email", lambda: Person("sam\r\nX:mailto:x@y", "Sam"), "not an email"),
    ("naive start", lambda: replace(booked(), start=datetime(2027, 7, 6, 13)), "timezone-aware"),
    ("end before start", lambda: replace(booked(), end=at(2027, 7, 6, 12)), "before it starts"),
    ("empty uid", lambda: replace(booked(), uid=" "), "non-empty uid"),
    ("prose rule", lambda: first_tuesdays(rrule="every first tuesday"), "is not an RRULE"),
    (
        "UNTIL as a date",
        lambda: first_tuesdays(rrule="FREQ=MONTHLY;BYDAY=1TU;UNTIL=20271231"),
        "UNTIL must be a UTC",
    ),
    (
        "UNTIL and COUNT",
        lambda: first_tuesdays(rrule="FREQ=DAILY;COUNT=3;UNTIL=20271231T000000Z"),
        "both UNTIL and COUNT",
    ),
    (
        "cancelled and moved",
        lambda: first_tuesdays(
            exdates=(at(2027, 9, 7, 13, 0),), overrides=(moved_september(),)
        ),
        "overridden and cancelled",
    ),
    (
        "same event twice in a feed",
        lambda: feed([booked(), booked()]),
        "two events with UID 'booking-44@peerwork'",
    ),
]


@pytest.mark.parametrize(
    ("call", "message"), [p[1:] for p in BAD_VALUES], ids=[p[0] for p in BAD_VALUES]
)
def test_bad_values_are_refused_with_a_reason(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# --- optional: libical's per-METHOD restriction check (Debian libical-dev) -------------------

_CHECKER = r"""
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "rb");
    fseek(f, 0, SEEK_END); long n = ftell(f); rewind(f);
    char *buf = calloc(n + 1, 1);
    if (fread(buf, 1, n, f) != (size_t)n) return 3;
    icalcomponent *c = icalparser_parse_string(buf);
    if (!c) { puts("X-LIC-ERROR:unparseable"); return 2; }
    icalrestriction_check(c);
    fputs(icalcomponent_as_ical_string(c), stdout);
    return 0;
}
"""


@pytest.fixture(scope="module")
def libical_errors(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bytes], list[str]]:
    compiler, pkg_config = shutil.which("cc"), shutil.which("pkg-config")
    if not compiler or not pkg_config:
        pytest.skip("no C compiler or pkg-config")
    flags = subprocess.run(
        [pkg_config, "--cflags", "--libs", "libical"], capture_output=True, text=True, check=False
    )
    if flags.returncode != 0:
        pytest.skip("libical not installed (Debian: libical-dev)")
    folder = tmp_path_factory.mktemp("libical")
    (folder / "check.c").write_text(_CHECKER)
    build = [compiler, str(folder / "check.c"), "-o", str(folder / "check"), *flags.stdout.split()]
    subprocess.run(build, check=True)

    def errors(data: bytes) -> list[str]:
        (folder / "input.ics").write_bytes(data)
        run = [str(folder / "check"), str(folder / "input.ics")]
        out = subprocess.run(run, capture_output=True, text=True, check=True).stdout
        return [line for line in out.splitlines() if line.startswith("X-LIC-ERROR")]

    return errors


def test_libical_finds_no_restriction_errors(libical_errors: Callable[[bytes], list[str]]) -> None:
    series = first_tuesdays(exdates=(at(2027, 6, 1, 13, 0),), overrides=(moved_september(),))
    cancel = booked(1, recurrence_id=at(2027, 7, 6, 13, 0))
    outputs = {
        "personal feed": feed(),
        "organisation feed": organisation_feed("Spaces", [weekdays(), series], feed_uid="org-1"),
        "request": invite("REQUEST", booked(), organizer=ORGANISER, attendee=ATTENDEE),
        "cancel": invite("CANCEL", cancel, organizer=ORGANISER, attendee=ATTENDEE),
    }
    found = {name: libical_errors(data) for name, data in outputs.items()}
    assert found == {name: [] for name in outputs}
    # The checker does find problems: libical rejects a CANCEL without SEQUENCE.
    broken = outputs["cancel"].replace(b"SEQUENCE:1\r\n", b"")
    assert any("iTIP" in error for error in libical_errors(broken))
