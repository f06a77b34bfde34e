"""The first to accept takes the request, exactly once, however many accept at once: here
several debriefers accept together, through two app instances, round after round. The loser is
answered 409 "already taken"; the slot is in the asker's and the taker's calendars only."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from icalendar import Calendar

from peerwork import capabilities
from peerwork.app import create_app
from peerwork.calendar import feeds
from peerwork.core.settings import load_settings
from peerwork.core.tables import OutboxMessage
from peerwork.core.time import LONDON, now
from peerwork.debrief.tables import DebriefRequest
from tests.conftest import IS_POSTGRES, http_client
from tests.integration.debrief.helpers import NOTE, ask, make_team

API = "/api/v1/debrief"
ROUNDS = 12 if IS_POSTGRES else 6


async def _debriefs_on_calendar(user) -> list:
    events = await feeds.personal_events(user.principal.account_id, capabilities.calendar_providers(), for_feed=False)
    return [e for e in events if e.uid.startswith("debrief-")]


async def test_several_debriefers_accepting_at_once_on_two_instances_one_takes_it(client):
    team = await make_team(debriefers=4)
    instances = [create_app(load_settings()) for _ in range(2)]
    async with http_client(instances[0]) as first, http_client(instances[1]) as second:
        for round_ in range(ROUNDS):
            made = await ask(team.asker, note=f"{NOTE} ({round_})")
            url = f"{API}/requests/{made.id}/accept"
            # Each debriefer through one instance or the other, all fired together.
            answers = await asyncio.gather(*(
                (first if i % 2 else second).post(url, headers=d.headers, json={})
                for i, d in enumerate(team.debriefers)))
            codes = sorted(a.status_code for a in answers)
            assert codes == [201] + [409] * (len(team.debriefers) - 1), (round_, codes)
            winner_at = next(i for i, a in enumerate(answers) if a.status_code == 201)
            winner = team.debriefers[winner_at]
            for answer in answers:
                if answer.status_code == 409:
                    assert answer.json()["detail"].startswith("Already taken")
                    assert answer.headers["content-type"].startswith("application/problem+json")
            row = await DebriefRequest.select().where(DebriefRequest.id == made.id).first()
            assert row["status"] == "accepted" and row["accepted_by"] == winner.principal.account_id
            # One arrangement email (with its invite) to each of the two, and to nobody else.
            mails = await OutboxMessage.select(OutboxMessage.to_address).where(
                OutboxMessage.dedupe_key.like(f"debrief:{made.id}:0:REQUEST:%")).output(as_list=True)
            assert sorted(mails) == sorted([team.asker.email, winner.email])
            # Close it so the next round is a fresh request.
            assert (await client.post(f"{API}/requests/{made.id}/cancel", headers=team.asker.headers)).status_code == 201


async def test_the_private_slot_is_in_the_askers_and_takers_feeds_only(client):
    team = await make_team(debriefers=2)
    made = await ask(team.asker)
    winner, loser = team.debriefers
    start = (now() + timedelta(hours=2)).astimezone(LONDON)
    body = {"start_date": start.date().isoformat(), "start_time": start.strftime("%H:%M:00"), "minutes": 45}
    assert (await client.post(f"{API}/requests/{made.id}/accept", headers=winner.headers, json=body)).status_code == 201
    assert (await client.post(f"{API}/requests/{made.id}/accept", headers=loser.headers, json={})).status_code == 409

    for person in (team.asker, winner):
        [event] = await _debriefs_on_calendar(person)
        assert event.summary == "Debrief" and event.private and event.end - event.start == timedelta(minutes=45)
        assert NOTE not in event.description and "incident" not in event.description
    for person in (loser, team.bystander, team.lead, team.tomorrow):
        assert await _debriefs_on_calendar(person) == []

    # In the real feed too: CLASS:PRIVATE, a neutral summary, nothing of what was asked.
    for person in (team.asker, winner):
        assert (await client.patch("/api/v1/community/preferences", headers=person.headers,
                                   json={"calendar_delivery": "both"})).status_code == 200
        made_link = await client.post("/api/v1/calendars/mine", headers=person.headers)
        url = made_link.json()["url"]
        feed = await client.get(url[url.index("/calendar/"):])
        assert feed.status_code == 200
        [vevent] = [e for e in Calendar.from_ical(feed.content).walk("VEVENT") if str(e["UID"]).startswith("debrief-")]
        assert str(vevent["CLASS"]) == "PRIVATE" and str(vevent["SUMMARY"]) == "Debrief"
        assert NOTE not in feed.text and "incident" not in feed.text.lower() and "asker" not in feed.text
    made_link = await client.post("/api/v1/calendars/mine", headers=loser.headers)
    url = made_link.json()["url"]
    assert "debrief-" not in (await client.get(url[url.index("/calendar/"):])).text

    # The invites sent by email carry the same private event and nothing of what was asked.
    invites = await OutboxMessage.select().where(OutboxMessage.calendar_method == "REQUEST")
    assert sorted(m["to_address"] for m in invites) == sorted([team.asker.email, winner.email])
    for m in invites:
        assert "CLASS:PRIVATE" in m["calendar_ics"] and "SUMMARY:Debrief" in m["calendar_ics"]
        assert NOTE not in m["calendar_ics"] + m["body_text"]
