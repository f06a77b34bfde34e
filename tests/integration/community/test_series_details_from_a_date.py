"""New details for a series "from a date onwards" (PATCH with from_date and a place, title or
description): the dates before the cut keep their details everywhere (API, organisation feed,
personal feeds), and everyone booked on a changed date gets an updated invite that agrees with
their feed (same UID, higher SEQUENCE, the new place)."""

from __future__ import annotations

from datetime import timedelta, timezone

import recurring_ical_events
from icalendar import Calendar

from peerwork.calendar import feeds
from peerwork.community import bookings, preferences
from peerwork.community.schemas import PreferencesIn
from peerwork.core.time import LONDON
from tests.factories import make_org, make_user
from tests.integration.community.helpers import invite_fields, mail_to, make_series

OLD_PLACE, NEW_PLACE = "Room 4, Oak House", "Garden Room, Elm House"


def path_of(url: str) -> str:
    return url[url.index("/calendar/"):]


async def _feed_events(client, principal, **kwargs) -> Calendar:
    url, _ = await feeds.issue_feed(principal, **kwargs)
    response = await client.get(path_of(url))
    assert response.status_code == 200, response.text
    return Calendar.from_ical(response.content)


async def test_new_details_from_a_date_leave_earlier_dates_alone_and_send_updated_invites(client):
    org = await make_org()
    lead = await make_user(org, "peer_lead")
    early = await make_user(org, "psw", email="early@north.example")
    late = await make_user(org, "psw", email="late@north.example")
    for person in (early, late):  # invites and feed both, so the two can be compared
        await preferences.update_preferences(person.principal, PreferencesIn(calendar_delivery="both"))
    made = await make_series(lead, capacity=6)
    occurrences = [o for o in await bookings.upcoming(lead.principal, days=60) if o.series_id == made.id]
    assert len(occurrences) >= 5
    before, cut_occurrence, after = occurrences[1], occurrences[3], occurrences[4]
    await bookings.book(early.principal, before.id)
    await bookings.book(late.principal, after.id)
    early_mail, late_mail = len(await mail_to("early@north.example")), len(await mail_to("late@north.example"))
    (late_invite,) = [m for m in await mail_to("late@north.example") if m["calendar_method"] == "REQUEST"]
    late_sequence = invite_fields(late_invite["calendar_ics"])["SEQUENCE"]

    cut = cut_occurrence.start.astimezone(LONDON).date()
    response = await client.patch(f"/api/v1/community/series/{made.id}", headers=lead.headers, json={
        "from_date": cut.isoformat(), "location": NEW_PLACE, "title": "Co-reflection (garden)",
        "description": "Now in the garden room",
    })
    assert response.status_code == 200, response.text
    assert response.json()["location"] == NEW_PLACE and response.json()["title"] == "Co-reflection (garden)"

    # The API: old details before the cut, new ones from it.
    listed = await client.get("/api/v1/community/occurrences?days=60", headers=lead.headers)
    assert listed.status_code == 200
    shown = {o["id"]: o for o in listed.json()}
    for o in occurrences:
        item = shown[str(o.id)]
        if o.start < cut_occurrence.start:
            assert (item["location"], item["title"]) == (OLD_PLACE, "Co-reflection"), item
        else:
            assert (item["location"], item["title"]) == (NEW_PLACE, "Co-reflection (garden)"), item
    old_series = await client.get(f"/api/v1/community/series/{made.id}", headers=lead.headers)
    assert old_series.json()["location"] == OLD_PLACE and old_series.json()["title"] == "Co-reflection"

    # The organisation feed, expanded as a calendar app would: the same split.
    calendar = await _feed_events(client, lead.principal, organisation_feed=True)
    window = (occurrences[0].start - timedelta(hours=1), occurrences[-1].end + timedelta(hours=1))
    expanded = {e.decoded("DTSTART").astimezone(timezone.utc): e
                for e in recurring_ical_events.of(calendar).between(*window)}
    assert sorted(expanded) == [o.start for o in occurrences]  # each date once, none lost or doubled
    for o in occurrences:
        event = expanded[o.start]
        expected = (OLD_PLACE, "Co-reflection") if o.start < cut_occurrence.start else (NEW_PLACE, "Co-reflection (garden)")
        assert (str(event["LOCATION"]), str(event["SUMMARY"])) == expected, o.start

    # Booked after the cut: an updated invite (same UID, higher SEQUENCE, the new place) that
    # agrees with the personal feed.
    late_messages = await mail_to("late@north.example")
    assert len(late_messages) == late_mail + 1
    update = late_messages[-1]
    fields = invite_fields(update["calendar_ics"])
    assert fields["METHOD"] == "REQUEST" and fields["UID"] == f"occurrence-{after.id}@peerwork"
    assert fields["SEQUENCE"] > late_sequence
    invite_event = next(iter(Calendar.from_ical(update["calendar_ics"]).walk("VEVENT")))
    assert str(invite_event["LOCATION"]) == NEW_PLACE
    (feed_event,) = (await _feed_events(client, late.principal)).walk("VEVENT")
    assert str(feed_event["UID"]) == fields["UID"] and int(feed_event["SEQUENCE"]) == fields["SEQUENCE"]
    assert str(feed_event["LOCATION"]) == NEW_PLACE and str(feed_event["SUMMARY"]) == "Co-reflection (garden)"

    # Booked before the cut: nothing new, and their feed still agrees with their last invite.
    assert len(await mail_to("early@north.example")) == early_mail
    (early_invite,) = [m for m in await mail_to("early@north.example") if m["calendar_method"] == "REQUEST"]
    (early_event,) = (await _feed_events(client, early.principal)).walk("VEVENT")
    assert int(early_event["SEQUENCE"]) == invite_fields(early_invite["calendar_ics"])["SEQUENCE"]
    assert str(early_event["LOCATION"]) == OLD_PLACE and str(early_event["SUMMARY"]) == "Co-reflection"


async def test_new_details_from_the_first_date_change_the_whole_series(client):
    org = await make_org()
    lead = await make_user(org, "peer_lead")
    made = await make_series(lead)
    first = made.first_start.astimezone(LONDON).date()
    response = await client.patch(f"/api/v1/community/series/{made.id}", headers=lead.headers,
                                  json={"from_date": first.isoformat(), "location": NEW_PLACE})
    assert response.status_code == 200, response.text
    assert response.json()["id"] == str(made.id) and response.json()["location"] == NEW_PLACE
    listed = (await client.get("/api/v1/community/occurrences?days=60", headers=lead.headers)).json()
    assert listed and {o["location"] for o in listed} == {NEW_PLACE}


async def test_a_counted_series_keeps_its_number_of_dates_when_split_for_new_details(client):
    org = await make_org()
    lead = await make_user(org, "peer_lead")
    made = await make_series(lead, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6")
    occurrences = [o for o in await bookings.upcoming(lead.principal, days=120) if o.series_id == made.id]
    assert len(occurrences) == 6
    cut = occurrences[3].start.astimezone(LONDON).date()
    response = await client.patch(f"/api/v1/community/series/{made.id}", headers=lead.headers,
                                  json={"from_date": cut.isoformat(), "location": NEW_PLACE})
    assert response.status_code == 200, response.text
    assert "COUNT=" not in response.json()["rrule"] and "UNTIL=" in response.json()["rrule"]
    listed = [o for o in (await client.get("/api/v1/community/occurrences?days=120", headers=lead.headers)).json()]
    assert [o["id"] for o in listed] == [str(o.id) for o in occurrences]
    assert [o["location"] for o in listed] == [OLD_PLACE] * 3 + [NEW_PLACE] * 3
    calendar = await _feed_events(client, lead.principal, organisation_feed=True)
    window = (occurrences[0].start - timedelta(days=30), occurrences[-1].end + timedelta(days=400))
    expanded = sorted((e.decoded("DTSTART").astimezone(timezone.utc), str(e["LOCATION"]))
                      for e in recurring_ical_events.of(calendar).between(*window))
    assert expanded == [(o.start, OLD_PLACE if i < 3 else NEW_PLACE) for i, o in enumerate(occurrences)]
