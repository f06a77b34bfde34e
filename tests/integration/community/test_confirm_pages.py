"""Cancelling a date, ending a series and changing a series from a date onwards ask first: a
page says what will happen and who will be emailed, nothing changes until a second POST with
``confirm=yes``, and then the people booked get their email through a real SMTP server."""

from __future__ import annotations

import email
import html
import re
from email import policy

from icalendar import Calendar

from peerwork.community import bookings, series
from peerwork.community.tables import EventSeries, Occurrence
from peerwork.core.mail.outbox import deliver_due
from peerwork.core.tables import OutboxMessage
from peerwork.core.time import LONDON
from tests.factories import make_org, make_user
from tests.integration.community.helpers import make_series
from tests.integration.web.test_forms import csrf_from, post_form, signed_in

NEW_PLACE = "Garden Room, Elm House"


def hidden_fields(page: str) -> dict[str, str]:
    """The confirmation form's fields, as the browser would send them back."""
    form = re.search(r'<form method="post" action="[^"]+"[^>]*>.*?</form>', page, re.DOTALL).group(0)
    return {name: html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"\s*/?>', form)}


def confirm_action(page: str) -> str:
    return re.search(r'<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden" name="_csrf_token"', page).group(1)


async def confirm(client, page: str):
    return await client.post(confirm_action(page), data=hidden_fields(page), follow_redirects=False)


def delivered(smtp) -> list[tuple[str, str | None, str]]:
    """(to, calendar METHOD or None, LOCATION) of each message the SMTP server received."""
    found = []
    for raw in smtp.received:
        message = email.message_from_bytes(raw, policy=policy.default)
        parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        method = location = None
        if parts:
            calendar = Calendar.from_ical(parts[0].get_content())
            method = str(calendar["METHOD"])
            location = str(next(iter(calendar.walk("VEVENT"))).get("LOCATION", ""))
        found.append((message["To"].addresses[0].addr_spec, method, location))
    return found


async def _team(client):
    org = await make_org()
    lead = await signed_in(client, "peer_lead", org=org)
    amara = await make_user(org, "psw", email="amara@north.example")
    ben = await make_user(org, "psw", email="ben@north.example")
    return org, lead, amara, ben


async def _dates(user, series_id):
    return [o for o in await bookings.upcoming(user.principal, days=90) if o.series_id == series_id]


async def test_cancelling_a_date_asks_first_and_names_who_will_be_emailed(client, smtp):
    _, lead, amara, ben = await _team(client)
    made = await make_series(lead, capacity=1)
    occurrence = (await _dates(lead, made.id))[0]
    await bookings.book(amara.principal, occurrence.id)  # the place
    await bookings.book(ben.principal, occurrence.id)  # the waiting list
    await deliver_due(smtp.transport, max_attempts=1, sender="peerwork@north.example")
    smtp.received.clear()
    mail_before = await OutboxMessage.count()
    page_url = f"/community/occurrences/{occurrence.id}"

    asked = await post_form(client, page_url, f"{page_url}/cancel", {"reason": "The facilitator is unwell."})
    assert asked.status_code == 200, asked.text
    day = occurrence.start.astimezone(LONDON)
    assert f"<h1>Cancel Co-reflection on {day:%A %-d %B}?</h1>" in asked.text
    assert f"{day:%A %-d %B %Y, %H:%M}" in asked.text
    assert "<strong>2 people</strong> will be emailed." in asked.text
    assert "<li>amara</li>" in asked.text and "<li>ben</li>" in asked.text
    assert "The facilitator is unwell." in asked.text
    assert hidden_fields(asked.text)["confirm"] == "yes"
    # Asking changed nothing and told nobody.
    assert (await Occurrence.select(Occurrence.status).where(Occurrence.id == occurrence.id).first())["status"] == \
        "scheduled"
    assert await OutboxMessage.count() == mail_before

    not_yes = await client.post(f"{page_url}/cancel", data={**hidden_fields(asked.text), "confirm": "no"},
                                follow_redirects=False)
    assert not_yes.status_code == 200 and "will be emailed" in not_yes.text  # asked again, nothing done
    assert await OutboxMessage.count() == mail_before
    no_token = await client.post(f"{page_url}/cancel", data={"confirm": "yes"}, follow_redirects=False)
    assert no_token.status_code == 403  # the CSRF check, as on every form
    assert await OutboxMessage.count() == mail_before

    done = await confirm(client, asked.text)
    assert done.status_code == 303 and done.headers["location"] == f"{page_url}?done=date-cancelled"
    assert (await Occurrence.select(Occurrence.status).where(Occurrence.id == occurrence.id).first())["status"] == \
        "cancelled"
    report = await deliver_due(smtp.transport, max_attempts=1, sender="peerwork@north.example")
    assert report.sent == 2
    assert sorted((to, method) for to, method, _ in delivered(smtp)) == [
        ("amara@north.example", "CANCEL"), ("ben@north.example", None)]
    shown = await client.get(done.headers["location"])
    assert "The date is cancelled. Everyone who was booked or waiting is emailed." in shown.text


async def test_a_psw_cannot_cancel_a_date_nor_see_who_is_booked(client):
    org = await make_org()
    lead = await make_user(org, "peer_lead")
    made = await make_series(lead)
    occurrence = (await _dates(lead, made.id))[0]
    await signed_in(client, "psw", org=org)
    page = await client.get(f"/community/occurrences/{occurrence.id}")
    assert "Cancel this date" not in page.text and "change-from" not in page.text
    refused = await client.post(f"/community/occurrences/{occurrence.id}/cancel",
                                data={"_csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert refused.status_code == 403 and "will be emailed" not in refused.text


async def test_ending_a_series_lists_its_dates_and_everyone_booked_before_it_ends(client, smtp):
    _, lead, amara, ben = await _team(client)
    made = await make_series(lead)
    dates = await _dates(lead, made.id)
    await bookings.book(amara.principal, dates[0].id)
    await bookings.book(ben.principal, dates[2].id)
    await bookings.book(ben.principal, dates[3].id)
    await deliver_due(smtp.transport, max_attempts=1, sender="peerwork@north.example")
    smtp.received.clear()
    page_url = f"/community/occurrences/{dates[0].id}"

    asked = await post_form(client, page_url, f"/community/series/{made.id}/cancel", {"occurrence": str(dates[0].id)})
    assert asked.status_code == 200, asked.text
    assert "<h1>End Co-reflection?</h1>" in asked.text
    coming = await Occurrence.count().where((Occurrence.series == made.id) & (Occurrence.status == "scheduled"))
    assert f"its {coming} coming dates will be cancelled" in asked.text
    assert "<strong>2 people</strong> will be emailed." in asked.text  # people, not bookings
    assert f'href="{page_url}">No, go back' in asked.text
    assert (await EventSeries.select(EventSeries.status).where(EventSeries.id == made.id).first())["status"] == "open"

    done = await confirm(client, asked.text)
    assert done.status_code == 303 and done.headers["location"] == "/community?done=series-cancelled"
    assert (await EventSeries.select(EventSeries.status).where(EventSeries.id == made.id).first())["status"] == "closed"
    await deliver_due(smtp.transport, max_attempts=1, sender="peerwork@north.example")
    assert sorted(delivered(smtp)) == sorted([("amara@north.example", "CANCEL", "Room 4, Oak House"),
                                              ("ben@north.example", "CANCEL", "Room 4, Oak House"),
                                              ("ben@north.example", "CANCEL", "Room 4, Oak House")])
    listed = await client.get(done.headers["location"])
    assert "The series has ended" in listed.text


async def test_changing_from_a_date_on_the_page_shows_the_change_then_updates_only_later_bookings(client, smtp):
    _, lead, amara, ben = await _team(client)
    made = await make_series(lead, capacity=6)
    dates = await _dates(lead, made.id)
    early, cut, late = dates[1], dates[2], dates[3]
    await bookings.book(amara.principal, early.id)
    await bookings.book(ben.principal, late.id)
    await deliver_due(smtp.transport, max_attempts=1, sender="peerwork@north.example")
    smtp.received.clear()
    page_url = f"/community/occurrences/{cut.id}"
    page = await client.get(page_url)
    assert f'action="{page_url}/change-from"' in page.text and 'name="from_date"' in page.text

    # The form sends every field back; only the place differs, so only the place changes.
    form = {"from_date": cut.start.astimezone(LONDON).date().isoformat(), "start_time": "13:00",
            "end_time": "14:30", "location": NEW_PLACE, "title": "Co-reflection", "capacity": "6"}
    asked = await post_form(client, page_url, f"{page_url}/change-from", form)
    assert asked.status_code == 200, asked.text
    assert "Place: Room 4, Oak House → Garden Room, Elm House" in asked.text
    assert "Starts:" not in asked.text and "Title:" not in asked.text
    assert "<strong>1 person</strong> will be emailed." in asked.text and "<li>ben</li>" in asked.text
    assert "<li>amara</li>" not in asked.text  # booked before the cut: untouched
    assert (await series.get_series(lead.principal, made.id)).location == "Room 4, Oak House"
    assert not smtp.received

    done = await confirm(client, asked.text)
    assert done.status_code == 303 and done.headers["location"] == f"{page_url}?done=series-changed"
    places = {o.id: o.location for o in await bookings.upcoming(lead.principal, days=90)}
    assert places[early.id] == "Room 4, Oak House" and places[cut.id] == places[late.id] == NEW_PLACE
    await deliver_due(smtp.transport, max_attempts=1, sender="peerwork@north.example")
    assert delivered(smtp) == [("ben@north.example", "REQUEST", NEW_PLACE)]
    shown = await client.get(done.headers["location"])
    assert "The series is changed from the date you chose." in shown.text


async def test_new_times_from_a_date_warn_that_people_must_book_again(client):
    _, lead, amara, _ = await _team(client)
    made = await make_series(lead)
    dates = await _dates(lead, made.id)
    await bookings.book(amara.principal, dates[2].id)
    page_url = f"/community/occurrences/{dates[1].id}"
    form = {"from_date": dates[1].start.astimezone(LONDON).date().isoformat(), "start_time": "14:00",
            "end_time": "15:30", "location": "", "title": "Co-reflection", "capacity": "12"}
    asked = await post_form(client, page_url, f"{page_url}/change-from", form)
    assert asked.status_code == 200, asked.text
    assert "Starts: 13:00 → 14:00" in asked.text and "Ends: 14:30 → 15:30" in asked.text
    assert "asking them to book again" in asked.text and "<li>amara</li>" in asked.text
    done = await confirm(client, asked.text)
    assert done.status_code == 303 and done.headers["location"] == "/community?done=series-changed"
    assert (await Occurrence.select(Occurrence.status).where(Occurrence.id == dates[2].id).first())["status"] == \
        "cancelled"


async def test_a_change_that_changes_nothing_or_ends_before_it_starts_is_explained(client):
    _, lead, _, _ = await _team(client)
    made = await make_series(lead)
    occurrence = (await _dates(lead, made.id))[0]
    page_url = f"/community/occurrences/{occurrence.id}"
    same = {"from_date": occurrence.start.astimezone(LONDON).date().isoformat(), "start_time": "13:00",
            "end_time": "14:30", "location": "", "title": "Co-reflection", "capacity": "12"}
    nothing = await post_form(client, page_url, f"{page_url}/change-from", same)
    assert nothing.status_code == 422 and "Nothing to change" in nothing.text
    backwards = await post_form(client, page_url, f"{page_url}/change-from", {**same, "end_time": "12:00"})
    assert backwards.status_code == 422 and "end_time: must be after the start time" in backwards.text
    past = await post_form(client, page_url, f"{page_url}/change-from", {**same, "from_date": "2020-01-01",
                                                                          "location": NEW_PLACE})
    assert past.status_code == 422 and "from_date: choose today or a later date" in past.text
    bad_date = await post_form(client, page_url, f"{page_url}/change-from", {**same, "from_date": "next week"})
    assert bad_date.status_code == 422 and "from_date: must be a date" in bad_date.text
    assert (await series.get_series(lead.principal, made.id)).rrule == made.rrule
