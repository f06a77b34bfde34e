"""Invites, feed or both: each person's choice is honoured by the invites they are emailed and
by their feed, a change of choice leaves no stale copy, and called-off dates leave the feed."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from peerwork.calendar import feeds
from peerwork.community import bookings, series
from peerwork.community.tables import Occurrence
from peerwork.core.time import now
from tests.factories import make_org, make_user
from tests.integration.community.helpers import mail_to, make_series
from tests.integration.web.test_forms import post_form, signed_in


def path_of(url: str) -> str:
    return url[url.index("/calendar/"):]


async def feed_events(client, url: str) -> dict[str, str]:
    """UID -> STATUS of every event in the feed."""
    response = await client.get(path_of(url))
    assert response.status_code == 200, response.text
    return {str(e["UID"]): str(e.get("STATUS", "")) for e in Calendar.from_ical(response.content).walk("VEVENT")}


async def methods_to(address: str) -> list[str | None]:
    return [m["calendar_method"] for m in await mail_to(address)]


async def choose(client, user, mode: str):
    response = await client.patch("/api/v1/community/preferences", headers=user.headers,
                                  json={"calendar_delivery": mode})
    assert response.status_code == 200, response.text
    return response.json()


async def two_dates(lead):
    made = await make_series(lead, capacity=5)
    occurrences = [o for o in await bookings.upcoming(lead.principal, days=60) if o.series_id == made.id]
    return occurrences[0], occurrences[1]


def uid(occurrence) -> str:
    return f"occurrence-{occurrence.id}@peerwork"


async def test_the_api_shows_the_default_and_refuses_an_unknown_choice_with_problem_details(client):
    org = await make_org()
    psw = await make_user(org, "psw")
    shown = await client.get("/api/v1/community/preferences", headers=psw.headers)
    assert shown.json() == {"newsletter": True, "calendar_delivery": "auto", "has_feed_link": False,
                            "replies_read": False, "bookings_moved": 0}
    refused = await client.patch("/api/v1/community/preferences", headers=psw.headers,
                                 json={"calendar_delivery": "carrier-pigeon"})
    assert refused.status_code == 400 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "calendar_delivery"
    # The newsletter alone still works, and leaves the calendar choice as it was.
    await choose(client, psw, "feed")
    kept = await client.patch("/api/v1/community/preferences", headers=psw.headers, json={"newsletter": False})
    assert (kept.json()["newsletter"], kept.json()["calendar_delivery"]) == (False, "feed")


async def test_automatic_sends_invites_until_there_is_a_feed_link_and_never_shows_a_booking_twice(client):
    org = await make_org()
    lead, psw = await make_user(org, "peer_lead"), await make_user(org, "psw", email="sam@north.example")
    first, second = await two_dates(lead)
    await bookings.book(psw.principal, first.id)
    assert await methods_to("sam@north.example") == ["REQUEST"]

    url, _ = await feeds.issue_feed(psw.principal)
    await bookings.book(psw.principal, second.id)
    assert await methods_to("sam@north.example") == ["REQUEST", None]  # told, but no invite
    assert "calendar feed" in (await mail_to("sam@north.example"))[-1]["body_text"]
    # The first came as an invite and stays one; the second is in the feed only.
    assert await feed_events(client, url) == {uid(second): "CONFIRMED"}

    await series.move_occurrence(lead.principal, first.id, first.start + timedelta(hours=1), first.end + timedelta(hours=1))
    assert (await methods_to("sam@north.example"))[-1] == "REQUEST"  # its update goes the same way
    assert await feed_events(client, url) == {uid(second): "CONFIRMED"}


async def test_feed_only_sends_no_invites_and_switching_cancels_the_invites_already_sent(client):
    org = await make_org()
    lead, psw = await make_user(org, "peer_lead"), await make_user(org, "psw", email="kit@north.example")
    first, second = await two_dates(lead)
    held = await bookings.book(psw.principal, first.id)
    url, _ = await feeds.issue_feed(psw.principal)
    assert await feed_events(client, url) == {}

    moved = await choose(client, psw, "feed")
    assert moved["bookings_moved"] == 1 and moved["has_feed_link"] is True
    cancel = (await mail_to("kit@north.example"))[-1]
    assert cancel["calendar_method"] == "CANCEL" and "feed" in cancel["body_text"]
    assert await feed_events(client, url) == {uid(first): "CONFIRMED"}

    await bookings.book(psw.principal, second.id)
    await bookings.cancel(psw.principal, held.id)
    assert await methods_to("kit@north.example") == ["REQUEST", "CANCEL", None, None]
    assert await feed_events(client, url) == {uid(second): "CONFIRMED"}

    back = await choose(client, psw, "invites")  # back to invites: the feed lets go, an invite arrives
    assert back["bookings_moved"] == 1
    assert (await methods_to("kit@north.example"))[-1] == "REQUEST"
    assert await feed_events(client, url) == {}
    assert (await choose(client, psw, "invites"))["bookings_moved"] == 0  # nothing to move twice


async def test_both_sends_invites_and_fills_the_feed(client):
    org = await make_org()
    lead, psw = await make_user(org, "peer_lead"), await make_user(org, "psw", email="jo@north.example")
    first, _ = await two_dates(lead)
    url, _ = await feeds.issue_feed(psw.principal)
    await choose(client, psw, "both")
    await bookings.book(psw.principal, first.id)
    assert await methods_to("jo@north.example") == ["REQUEST"]
    assert await feed_events(client, url) == {uid(first): "CONFIRMED"}


async def test_a_called_off_date_shows_cancelled_in_the_feed_for_a_while_then_leaves(client):
    org = await make_org()
    lead, psw = await make_user(org, "peer_lead"), await make_user(org, "psw", email="ash@north.example")
    first, second = await two_dates(lead)
    url, _ = await feeds.issue_feed(psw.principal)
    await bookings.book(psw.principal, first.id)
    await bookings.book(psw.principal, second.id)
    await series.cancel_occurrence(lead.principal, first.id, "Room flooded")
    assert await methods_to("ash@north.example") == [None, None, None]  # feed only: told, no invites
    shown = await client.get(path_of(url))
    assert await feed_events(client, url) == {uid(first): "CANCELLED", uid(second): "CONFIRMED"}

    # Nearly a week on it is still there; past the grace period it has gone, and the feed's
    # ETag moved with it, so a calendar app polling with If-None-Match gets the new feed.
    cancelled_at = now() - feeds.CANCELLED_GRACE
    await Occurrence.update({Occurrence.updated_at: cancelled_at + timedelta(hours=1)}).where(Occurrence.id == first.id)
    feeds.forget_fingerprints()
    assert await feed_events(client, url) == {uid(first): "CANCELLED", uid(second): "CONFIRMED"}
    await Occurrence.update({Occurrence.updated_at: cancelled_at - timedelta(hours=1)}).where(Occurrence.id == first.id)
    feeds.forget_fingerprints()
    later = await client.get(path_of(url), headers={"If-None-Match": shown.headers["etag"]})
    assert later.status_code == 200 and later.headers["etag"] != shown.headers["etag"]
    assert await feed_events(client, url) == {uid(second): "CONFIRMED"}


async def test_the_preferences_page_shows_the_choice_and_changes_it(client):
    psw = await signed_in(client, "psw")
    page = await client.get("/community/preferences")
    assert page.status_code == 200
    assert 'id="delivery-auto" name="calendar_delivery" value="auto" aria-describedby="delivery-auto-hint" checked' in page.text
    assert "you have no calendar link, so bookings come as calendar invites" in page.text

    saved = await post_form(client, "/community/preferences", "/community/preferences",
                            {"calendar_delivery": "feed", "newsletter": "yes"})
    assert saved.status_code == 303 and saved.headers["location"] == "/community/preferences?saved=0"
    after = await client.get(saved.headers["location"])
    assert "Saved." in after.text and 'value="feed" aria-describedby="delivery-feed-hint" checked' in after.text
    shown = await client.get("/api/v1/community/preferences", headers=psw.headers)
    assert (shown.json()["calendar_delivery"], shown.json()["newsletter"]) == ("feed", True)

    refused = await post_form(client, "/community/preferences", "/community/preferences",
                              {"calendar_delivery": "fax"})
    assert refused.status_code == 422 and "calendar_delivery" in refused.text
