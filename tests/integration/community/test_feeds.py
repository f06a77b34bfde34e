"""Calendar feeds over HTTP: secret URLs, conditional GET, HEAD, and what a calendar app sees."""

from datetime import datetime, timedelta, timezone

import recurring_ical_events
from icalendar import Calendar

from peerwork.community import bookings, preferences, series
from peerwork.community.schemas import PreferencesIn
from peerwork.calendar import feeds
from tests.factories import make_org, make_user
from tests.integration.community.helpers import first_occurrence, make_series


def path_of(url: str) -> str:
    return url[url.index("/calendar/"):]


async def test_personal_feed_shows_my_bookings_and_answers_conditional_get_and_head(client):
    org = await make_org()
    lead, psw = await make_user(org, "peer_lead"), await make_user(org, "psw")
    await preferences.update_preferences(psw.principal, PreferencesIn(calendar_delivery="feed"))
    await make_series(lead, capacity=3)
    occurrence = await first_occurrence(psw)
    await bookings.book(psw.principal, occurrence.id)
    issued = await client.post("/api/v1/calendars/mine", headers=psw.headers)
    assert issued.status_code == 201
    url = path_of(issued.json()["url"])
    assert len(url.removeprefix("/calendar/").removesuffix(".ics")) >= 43  # 256 bits, url-safe

    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == [f"occurrence-{occurrence.id}@peerwork"]
    assert events[0].decoded("DTSTART") == occurrence.start
    assert "METHOD" not in calendar and b"ATTENDEE" not in response.content

    etag, modified = response.headers["etag"], response.headers["last-modified"]
    again = await client.get(url)
    assert again.content == response.content and again.headers["etag"] == etag
    not_modified = await client.get(url, headers={"If-None-Match": f'"nope", {etag}'})
    assert not_modified.status_code == 304 and not_modified.content == b"" and not_modified.headers["etag"] == etag
    assert (await client.get(url, headers={"If-None-Match": "*"})).status_code == 304
    head = await client.head(url)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
    assert modified.endswith("GMT")

    await bookings.cancel(psw.principal, occurrence.my_booking.id if occurrence.my_booking else
                          (await bookings.get_occurrence(psw.principal, occurrence.id)).my_booking.id)
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert list(Calendar.from_ical(changed.content).walk("VEVENT")) == []


async def test_a_new_link_revokes_the_old_one_and_revoking_ends_it(client):
    org = await make_org()
    psw = await make_user(org, "psw")
    first = path_of((await client.post("/api/v1/calendars/mine", headers=psw.headers)).json()["url"])
    second = path_of((await client.post("/api/v1/calendars/mine", headers=psw.headers)).json()["url"])
    assert (await client.get(first)).status_code == 404
    assert (await client.get(second)).status_code == 200
    assert (await client.delete("/api/v1/calendars/mine", headers=psw.headers)).status_code == 204
    gone = await client.get(second)
    assert gone.status_code == 404 and gone.headers["content-type"] == "application/problem+json"
    assert (await client.get("/calendar/made-up-token.ics")).status_code == 404
    assert (await client.get("/calendar/no-suffix")).status_code == 404


async def test_organisation_feed_has_rules_exdates_and_moved_occurrences(client):
    org = await make_org()
    lead = await make_user(org, "peer_lead")
    made = await make_series(lead, rrule="FREQ=WEEKLY;BYDAY=TU", capacity=8)
    occurrences = [o for o in await bookings.upcoming(lead.principal, days=60) if o.series_id == made.id]
    cancelled, moved = occurrences[1], occurrences[2]
    await series.cancel_occurrence(lead.principal, cancelled.id)
    await series.move_occurrence(lead.principal, moved.id, moved.start + timedelta(hours=2), moved.end + timedelta(hours=2))
    url, _ = await feeds.issue_feed(lead.principal, organisation_feed=True)
    response = await client.get(path_of(url))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    master = next(e for e in calendar.walk("VEVENT") if "RRULE" in e)
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and master["DTSTART"].params["TZID"] == "Europe/London"
    # An independent expansion (recurring-ical-events) of what a calendar app would show:
    window = (occurrences[0].start - timedelta(hours=1), occurrences[3].end + timedelta(hours=1))
    shown = sorted(e.decoded("DTSTART").astimezone(timezone.utc) for e in
                   recurring_ical_events.of(calendar).between(*window))
    expected = sorted([occurrences[0].start, moved.start + timedelta(hours=2), occurrences[3].start])
    assert shown == expected


async def test_feeds_need_no_session_but_never_reveal_other_people(client):
    org = await make_org()
    lead, a, b = await make_user(org, "peer_lead"), await make_user(org, "psw"), await make_user(org, "psw", email="bernadette.quist@north.example")
    await make_series(lead, capacity=3)
    occurrence = await first_occurrence(a)
    await bookings.book(a.principal, occurrence.id)
    await bookings.book(b.principal, occurrence.id)
    url, _ = await feeds.issue_feed(a.principal)
    body = (await client.get(path_of(url))).content
    assert b"bernadette" not in body.lower() and b"quist" not in body.lower()


async def test_invite_endpoint_gives_the_current_invite(client):
    org = await make_org()
    lead, psw = await make_user(org, "peer_lead"), await make_user(org, "psw")
    await make_series(lead, capacity=3)
    occurrence = await first_occurrence(psw)
    booking = await bookings.book(psw.principal, occurrence.id)
    response = await client.get(f"/api/v1/bookings/{booking.id}/invite.ics", headers=psw.headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar; method=REQUEST")
    await bookings.cancel(psw.principal, booking.id)
    cancelled = Calendar.from_ical((await client.get(f"/api/v1/bookings/{booking.id}/invite.ics", headers=psw.headers)).content)
    assert str(cancelled["METHOD"]) == "CANCEL"
    event = next(iter(cancelled.walk("VEVENT")))
    assert int(event["SEQUENCE"]) == 1 and str(event["STATUS"]) == "CANCELLED"
    other = await make_user(org, "psw", email="other@north.example")
    assert (await client.get(f"/api/v1/bookings/{booking.id}/invite.ics", headers=other.headers)).status_code == 404


async def test_past_dates_stay_for_attendance(client):
    org = await make_org()
    lead, psw = await make_user(org, "peer_lead"), await make_user(org, "psw")
    await preferences.update_preferences(psw.principal, PreferencesIn(calendar_delivery="feed"))
    await make_series(lead, capacity=3)
    occurrence = await first_occurrence(psw)
    await bookings.book(psw.principal, occurrence.id)
    now = datetime.now(timezone.utc)
    await series.move_occurrence(lead.principal, occurrence.id, now - timedelta(days=2), now - timedelta(days=2, hours=-1))
    url, _ = await feeds.issue_feed(psw.principal)
    events = list(Calendar.from_ical((await client.get(path_of(url))).content).walk("VEVENT"))
    assert len(events) == 1
