"""Every create or change on the community pages ends on a page that says it worked, chosen by a
fixed key: text put in the address is never shown."""

from __future__ import annotations

import re
from datetime import date, timedelta

from peerwork.community import bookings, series
from peerwork.core.time import now
from peerwork.community.tables import EventSeries
from tests.factories import make_org, make_user
from tests.integration.community.helpers import make_series
from tests.integration.web.test_forms import post_form, signed_in


def notice(page: str) -> str | None:
    found = re.search(r'<div class="notice" role="status"><p>(.*?)</p></div>', page, re.DOTALL)
    return found.group(1) if found else None


async def test_setting_up_a_space_names_it_and_its_first_date(client):
    await signed_in(client, "peer_lead")
    start = date.today() + timedelta(days=10)
    made = await post_form(client, "/community/series/new", "/community/series", {
        "kind": "debrief", "title": "Ward debrief", "pattern": "once", "weekday": "TU", "ordinal": "1",
        "start_date": start.isoformat(), "start_time": "16:30", "end_time": "17:00", "capacity": "8"})
    assert made.status_code == 303
    series_id = (await EventSeries.select(EventSeries.id).first())["id"]
    assert made.headers["location"] == f"/community?created={series_id}"
    page = await client.get(made.headers["location"])
    assert notice(page.text) == f"Ward debrief is set up. The first date is {start:%A %-d %B} at 16:30."


async def test_giving_up_a_place_on_the_waiting_list_says_so(client):
    org = await make_org()
    lead = await make_user(org, "peer_lead")
    made = await make_series(lead, capacity=1)
    occurrence = next(o for o in await bookings.upcoming(lead.principal, days=60) if o.series_id == made.id)
    await bookings.book(lead.principal, occurrence.id)
    psw = await signed_in(client, "psw", org=org)
    page_url = f"/community/occurrences/{occurrence.id}"

    queued = await post_form(client, page_url, f"{page_url}/book", {})
    assert queued.headers["location"] == page_url
    shown = await client.get(page_url)
    assert "You are on the waiting list, position 1." in shown.text  # the page's own booking box says it
    mine = (await bookings.get_occurrence(psw.principal, occurrence.id)).my_booking
    left = await post_form(client, page_url, f"/community/bookings/{mine.id}/cancel", {"was": "waitlisted"})
    assert left.headers["location"] == f"{page_url}?done=left-waitlist"
    assert notice((await client.get(left.headers["location"])).text) == "You have left the waiting list."


async def test_saving_attendance_says_so_on_the_date_it_was_saved_for(client):
    org = await make_org()
    lead = await signed_in(client, "peer_lead", org=org)
    psw = await make_user(org, "psw", email="amara@north.example")
    made = await make_series(lead)
    occurrence = next(o for o in await bookings.upcoming(lead.principal, days=60) if o.series_id == made.id)
    booking = await bookings.book(psw.principal, occurrence.id)
    started = now() - timedelta(minutes=30)
    await series.move_occurrence(lead.principal, occurrence.id, started, started + timedelta(hours=1))
    page_url = f"/community/occurrences/{occurrence.id}"
    saved = await post_form(client, page_url, f"/community/bookings/{booking.id}/attendance",
                            {"attended": "yes", "occurrence": str(occurrence.id)})
    assert saved.headers["location"] == f"{page_url}?done=attendance"
    page = await client.get(saved.headers["location"])
    assert notice(page.text) == "Attendance saved."
    assert (await bookings.attendees(lead.principal, occurrence.id))[0].attended is True


async def test_unknown_or_made_up_notice_keys_show_nothing(client):
    await signed_in(client, "psw")
    for address in ("/community?done=You+have+won", "/my-calendar?done=%3Cscript%3E", "/community?created=nonsense",
                    f"/community?created={'0' * 8}-0000-0000-0000-{'0' * 12}"):
        page = await client.get(address)
        assert page.status_code == 200, address
        assert notice(page.text) is None and "won" not in page.text and "<script>" not in page.text


async def test_turning_off_the_calendar_link_says_what_it_means(client):
    await signed_in(client, "psw")
    made = await post_form(client, "/my-calendar", "/my-calendar/link", {})
    assert made.status_code == 201
    off = await post_form(client, "/my-calendar", "/my-calendar/link/revoke", {})
    assert off.headers["location"] == "/my-calendar?done=link-off"
    assert notice((await client.get(off.headers["location"])).text) == \
        "Your calendar link is turned off. Calendar apps using it stop updating."
