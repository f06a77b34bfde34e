"""The slot follows each person's choice of invites, feed or both: an invite first (no feed
yet), then, when the asker moves to their feed, a CANCEL for the invite's copy and the slot in
the feed; never in both places, never in neither."""

from __future__ import annotations

from icalendar import Calendar

from peerwork.debrief import taking
from peerwork.debrief.schemas import AcceptIn
from tests.integration.debrief.helpers import ask, mail_to, make_team


async def _feed_uids(client, user) -> set[str]:
    made = await client.post("/api/v1/calendars/mine", headers=user.headers)
    url = made.json()["url"]
    feed = await client.get(url[url.index("/calendar/"):])
    return {str(e["UID"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")}


async def test_moving_to_the_feed_cancels_the_invite_copy_and_the_feed_shows_the_slot(client):
    team = await make_team()
    made = await ask(team.asker)
    await taking.accept(team.debriefers[0].principal, made.id, AcceptIn())
    uid = f"debrief-{made.id}@peerwork"
    [arranged] = [m for m in await mail_to(team.asker.email) if m["subject"].startswith("Debrief arranged")]
    assert arranged["calendar_method"] == "REQUEST"
    # A feed link made now leaves the invite where it is (auto): the feed does not show it twice.
    assert uid not in await _feed_uids(client, team.asker)

    chosen = await client.patch("/api/v1/community/preferences", headers=team.asker.headers,
                                json={"calendar_delivery": "feed"})
    assert chosen.status_code == 200, chosen.text
    moved = [m for m in await mail_to(team.asker.email) if m["subject"].startswith("Debrief moved")]
    assert [m["calendar_method"] for m in moved] == ["CANCEL"]
    assert uid in await _feed_uids(client, team.asker)
    # The debriefer's copy is untouched: still their invite, not in their feed.
    assert uid not in await _feed_uids(client, team.debriefers[0])
    assert not [m for m in await mail_to(team.debriefers[0].email) if m["subject"].startswith("Debrief moved")]
