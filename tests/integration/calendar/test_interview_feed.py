"""A panel member's private feed changes when an interview on their panel is booked, moved or
cancelled: the ETag moves (no stale 304) and the body shows it."""

from __future__ import annotations

from datetime import date, time, timedelta
from uuid import UUID

from icalendar import Calendar

from peerwork.recruitment import interviews, scoring, lifecycle
from peerwork.recruitment.schemas import DayIn, ScoreIn, SlotIn
from tests.integration.recruitment.helpers import VALUES, apply, make_round


def path_of(url: str) -> str:
    return url[url.index("/calendar/"):]


def interview_uids(body: bytes) -> list[str]:
    return [str(e["UID"]) for e in Calendar.from_ical(body).walk("VEVENT") if str(e["UID"]).startswith("interview-")]


async def test_booking_moving_and_cancelling_an_interview_changes_the_panel_members_feed(client):
    r = await make_round()
    sent = await apply(r)
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    for user, mark in ((r.le_scorer, 4), (r.scorer, 3)):
        await scoring.submit_scores(user.principal, sent.application_id, [ScoreIn(value=v, score=mark) for v in VALUES])
    await scoring.decide(r.recruiter.principal, sent.application_id, "shortlist")
    day = date.today() + timedelta(days=10)
    slots = await interviews.add_day(r.recruiter.principal, r.vacancy_id, DayIn(
        day=day, location="Room 1", slots=[SlotIn(start=time(10), end=time(10, 45)), SlotIn(start=time(11), end=time(11, 45))]))

    url = path_of((await client.post("/api/v1/calendars/mine", headers=r.scorer.headers)).json()["url"])
    before = await client.get(url)
    assert before.status_code == 200 and interview_uids(before.content) == []
    etag = before.headers["etag"]

    await interviews.book(sent.token, UUID(str(slots[0].id)))
    booked = await client.get(url, headers={"If-None-Match": etag})
    assert booked.status_code == 200, "a stale 304 after the interview was booked"
    assert booked.headers["etag"] != etag
    assert interview_uids(booked.content) == [f"interview-{sent.application_id}@peerwork"]
    assert (await client.get(url)).content == booked.content  # a plain GET serves the same, new body

    await interviews.book(sent.token, UUID(str(slots[1].id)))  # moved to the later slot
    moved = await client.get(url, headers={"If-None-Match": booked.headers["etag"]})
    assert moved.status_code == 200 and moved.headers["etag"] != booked.headers["etag"]
    [event] = [e for e in Calendar.from_ical(moved.content).walk("VEVENT") if str(e["UID"]).startswith("interview-")]
    assert event.decoded("DTSTART") == slots[1].start and int(event["SEQUENCE"]) == 1

    await interviews.cancel_booking(sent.token)
    cancelled = await client.get(url, headers={"If-None-Match": moved.headers["etag"]})
    assert cancelled.status_code == 200 and interview_uids(cancelled.content) == []
