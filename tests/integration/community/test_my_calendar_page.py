"""My calendar lists what the person's private feed carries, supervision sessions included,
because both are built from every capability's calendar provider."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from icalendar import Calendar

from peerwork.calendar import feeds
from peerwork.community import bookings, preferences
from peerwork.community.schemas import PreferencesIn
from peerwork.core.time import now
from peerwork.supervision import agreements, sessions
from peerwork.supervision.schemas import AgreementIn
from tests.factories import make_org, make_user
from tests.integration.community.helpers import make_series
from tests.integration.web.test_forms import signed_in


def page_events(html: str) -> set[tuple[str, datetime]]:
    """(UID, start) of each line under "Coming up"."""
    found = re.findall(r'<li data-uid="([^"]+)">.*?<time datetime="([^"]+)">', html, re.DOTALL)
    return {(uid, datetime.fromisoformat(start).astimezone(timezone.utc)) for uid, start in found}


def feed_events(body: bytes) -> set[tuple[str, datetime]]:
    """(UID, start) of each event in the feed that has not ended: what "Coming up" should list."""
    events = Calendar.from_ical(body).walk("VEVENT")
    return {(str(e["UID"]), e.decoded("DTSTART").astimezone(timezone.utc)) for e in events
            if e.decoded("DTEND") > now()}


async def test_my_calendar_and_my_feed_list_the_same_events_supervision_included(client):
    org = await make_org()
    psw = await signed_in(client, "psw", org=org)
    await preferences.update_preferences(psw.principal, PreferencesIn(calendar_delivery="both"))
    lead = await make_user(org, "peer_lead")
    supervisor = await make_user(org, "supervisor", email="sam@north.example")
    made = await make_series(lead, capacity=1)
    dates = [o for o in await bookings.upcoming(psw.principal, days=60) if o.series_id == made.id]
    await bookings.book(psw.principal, dates[0].id)
    await bookings.book(lead.principal, dates[1].id)
    await bookings.book(psw.principal, dates[1].id)  # the waiting list
    agreement = await agreements.create_agreement(lead.principal, AgreementIn(
        supervisor_id=supervisor.principal.account_id, supervisee_id=psw.principal.account_id,
        start_date=date.today() + timedelta(days=1), every_days=28, preferred_weekday=2,
        window_start=time(10), window_end=time(15)))
    await sessions.propose_sessions(lead.principal, agreement.id, 2)
    held = await sessions.accept(lead.principal, agreement.id, [])
    assert held

    page = await client.get("/my-calendar")
    assert page.status_code == 200
    url, _ = await feeds.issue_feed(psw.principal)
    feed = await client.get(url[url.index("/calendar/"):])
    assert feed.status_code == 200
    listed, fed = page_events(page.text), feed_events(feed.content)
    assert listed == fed
    uids = {uid for uid, _ in listed}
    assert {f"supervision-{s.id}@peerwork" for s in held} <= uids  # the sessions are there
    assert {f"occurrence-{dates[0].id}@peerwork", f"occurrence-{dates[1].id}@peerwork"} <= uids
    assert "waiting list, position 1" in page.text
    assert 'href="/supervision"' in page.text  # a session links to the supervision page



async def test_my_calendar_lists_bookings_that_came_as_invites_which_the_feed_leaves_out(client):
    org = await make_org()
    psw = await signed_in(client, "psw", org=org)  # the default: invites while there is no feed
    lead = await make_user(org, "peer_lead")
    made = await make_series(lead, capacity=2)
    first = [o for o in await bookings.upcoming(psw.principal, days=60) if o.series_id == made.id][0]
    await bookings.book(psw.principal, first.id)

    url, _ = await feeds.issue_feed(psw.principal)
    feed = await client.get(url[url.index("/calendar/"):])
    page = await client.get("/my-calendar")
    uid = f"occurrence-{first.id}@peerwork"
    assert uid not in {u for u, _ in feed_events(feed.content)}  # it is in their mail calendar
    assert uid in {u for u, _ in page_events(page.text)}  # and the page still lists it
