"""Interviews follow each panel member's choice of invites, feed or both, as supervision
sessions do: the mails that reach a real SMTP server on loopback carry a calendar part only
where the choice says so, the feed lists an interview only where no invite already put it in
the mail calendar (or the choice is both), and the My calendar page lists every interview. The
applicant has no feed and always gets the invite."""

from __future__ import annotations

from datetime import date, time, timedelta
from email import message_from_bytes
from email.utils import parseaddr
from uuid import UUID

import pytest
from icalendar import Calendar

from peerwork import capabilities
from peerwork.calendar import feeds
from peerwork.core.mail.outbox import deliver_due
from peerwork.core.time import LONDON
from peerwork.recruitment import interviews, lifecycle, scoring
from peerwork.recruitment.schemas import DayIn, ScoreIn, SlotIn
from tests.integration.recruitment.helpers import VALUES, apply, make_round
from tests.mailserver import SmtpServer

APPLICANT = "alex@applicant.example"


@pytest.fixture
async def round_():
    return await make_round()


async def shortlisted(r, *names: str) -> list:
    """Applications from these people (Alex by default), the vacancy closed, each shortlisted."""
    made = [await apply(r, name, client=f"10.0.0.{n}") for n, name in enumerate(names or ["Alex Applicant"], 1)]
    await lifecycle.set_status(r.recruiter.principal, r.vacancy_id, "closed")
    for sent in made:
        for user in (r.le_scorer, r.scorer):
            await scoring.submit_scores(user.principal, sent.application_id,
                                        [ScoreIn(value=v, score=3) for v in VALUES])
        await scoring.decide(r.recruiter.principal, sent.application_id, "shortlist")
    return made


async def slots(r, days: int = 5) -> list[UUID]:
    """Two slots on the day ``days`` ahead (add_day answers with every slot of the vacancy)."""
    day = date.today() + timedelta(days=days)
    made = await interviews.add_day(r.recruiter.principal, r.vacancy_id, DayIn(
        day=day, location="Room 1", slots=[SlotIn(start=time(10), end=time(11)), SlotIn(start=time(11), end=time(12))]))
    return [UUID(str(s.id)) for s in made if s.start.astimezone(LONDON).date() == day]


def uid(sent) -> str:
    return f"interview-{sent.application_id}@peerwork"


async def choose(client, user, mode: str) -> int:
    response = await client.patch("/api/v1/community/preferences", headers=user.headers,
                                  json={"calendar_delivery": mode})
    assert response.status_code == 200, response.text
    return response.json()["bookings_moved"]


async def feed_link(client, user) -> str:
    made = await client.post("/api/v1/calendars/mine", headers=user.headers)
    assert made.status_code in (200, 201), made.text
    url = made.json()["url"]
    return url[url.index("/calendar/"):]


async def feed_interviews(client, path: str) -> set[str]:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return {str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT")
            if str(e["UID"]).startswith("interview-")}


async def page_interviews(user) -> set[str]:
    """What the My calendar page lists: every interview, however it reaches the calendar app."""
    events = await feeds.personal_events(user.principal.account_id, capabilities.calendar_providers(), for_feed=False)
    return {e.uid for e in events if e.uid.startswith("interview-")}


async def delivered(smtp: SmtpServer, address: str) -> list[tuple[str, str | None, str, str, int]]:
    """(subject, calendar METHOD or None, UID or "", text, SEQUENCE or -1) of each mail the
    server received for ``address`` since the last call, after the outbox has sent everything due."""
    report = await deliver_due(smtp.transport, max_attempts=3, sender="peerwork@north.example")
    assert report.failed == 0
    mails, others = [], []
    for raw in smtp.received:
        message = message_from_bytes(raw)
        if parseaddr(message["To"])[1] != address:  # exactly: "scorer@" is inside "le.scorer@"
            others.append(raw)
            continue
        method, event_uid, text, sequence = None, "", "", -1
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                calendar = Calendar.from_ical(part.get_payload(decode=True))
                method = str(calendar["METHOD"])
                event = next(iter(calendar.walk("VEVENT")))
                event_uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
            elif part.get_content_type() == "text/plain":
                text = part.get_payload(decode=True).decode()
        mails.append((message["Subject"], method, event_uid, text, sequence))
    smtp.received[:] = others  # kept for a later call about someone else
    return mails


def calendar_parts(mails) -> list[tuple[str, str]]:
    """(METHOD, UID) of the mails that carry an invite (an applicant also gets plain news)."""
    return [(m[1], m[2]) for m in mails if m[1]]


@pytest.mark.parametrize("link_first", [False, True], ids=["no feed link yet", "feed link first"])
@pytest.mark.parametrize(("mode", "invited", "in_feed"), [
    ("invites", True, False),
    ("feed", False, True),
    ("both", True, True),
])
async def test_each_choice_decides_the_panel_members_invite_and_feed_and_the_applicant_always_gets_one(
        client, smtp, round_, mode, invited, in_feed, link_first):
    r = round_
    member = r.scorer
    await choose(client, member, mode)
    path = await feed_link(client, member) if link_first else None
    [sent] = await shortlisted(r)
    await interviews.book(sent.token, (await slots(r))[0])

    mails = await delivered(smtp, member.email)
    assert len(mails) == 1  # told either way
    assert mails[0][1] == ("REQUEST" if invited else None)
    if invited:
        assert mails[0][2] == uid(sent) and "Alex" not in mails[0][0]
    else:
        assert "calendar feed" in mails[0][3]  # the mail says where to find it
    path = path or await feed_link(client, member)
    assert await feed_interviews(client, path) == ({uid(sent)} if in_feed else set())
    assert await page_interviews(member) == {uid(sent)}

    # The applicant has no feed: the invite, whatever the panel chose.
    assert calendar_parts(await delivered(smtp, APPLICANT)) == [("REQUEST", uid(sent))]
    # The other panel member kept the default and has no feed link: invites, as before.
    assert [m[1] for m in await delivered(smtp, r.le_scorer.email)] == ["REQUEST"]

    await interviews.cancel_booking(sent.token)
    mails = await delivered(smtp, member.email)
    assert [m[1] for m in mails] == (["CANCEL"] if invited else [None])
    assert calendar_parts(await delivered(smtp, APPLICANT)) == [("CANCEL", uid(sent))]
    assert await feed_interviews(client, path) == set()


async def test_automatic_keeps_an_invited_interview_an_invite_and_puts_new_ones_in_the_feed_once_there_is_a_link(
        client, smtp, round_):
    r = round_
    member = r.scorer
    earlier, later = await shortlisted(r, "Alex Applicant", "Bea Applicant")
    first_slots = await slots(r)
    await interviews.book(earlier.token, first_slots[0])
    assert [m[1] for m in await delivered(smtp, member.email)] == ["REQUEST"]

    path = await feed_link(client, member)
    assert await feed_interviews(client, path) == set()  # making the link never shows it twice

    await interviews.book(earlier.token, first_slots[1])  # moved: an invite stays an invite until it ends
    assert [(m[1], m[2]) for m in await delivered(smtp, member.email)] == [("REQUEST", uid(earlier))]
    assert await feed_interviews(client, path) == set()

    await interviews.book(later.token, (await slots(r, days=9))[0])
    mails = await delivered(smtp, member.email)
    assert [m[1] for m in mails] == [None] and "It is in your peerwork calendar feed." in mails[0][3]
    assert await feed_interviews(client, path) == {uid(later)}
    assert await page_interviews(member) == {uid(earlier), uid(later)}
    # Bea got her invite, though the panel member's copy is in the feed.
    assert calendar_parts(await delivered(smtp, "bea@applicant.example")) == [("REQUEST", uid(later))]

    await interviews.cancel_booking(earlier.token)
    await interviews.cancel_booking(later.token)
    mails = await delivered(smtp, member.email)
    assert sorted((m[1] or "", m[2]) for m in mails) == sorted([("CANCEL", uid(earlier)), ("", "")])
    assert await feed_interviews(client, path) == set()


async def test_changing_the_choice_moves_a_coming_interview_at_once_so_it_is_in_neither_both_places_nor_none(
        client, smtp, round_):
    r = round_
    member = r.scorer
    [sent] = await shortlisted(r)
    await interviews.book(sent.token, (await slots(r))[0])
    [first] = await delivered(smtp, member.email)
    path = await feed_link(client, member)
    assert await feed_interviews(client, path) == set()
    await delivered(smtp, APPLICANT)

    assert await choose(client, member, "feed") == 1
    mails = await delivered(smtp, member.email)
    assert [(m[1], m[2]) for m in mails] == [("CANCEL", uid(sent))]
    assert mails[0][0].startswith("Now in your calendar feed") and "Alex" not in mails[0][0]
    assert await feed_interviews(client, path) == {uid(sent)}

    assert await choose(client, member, "invites") == 1
    mails = await delivered(smtp, member.email)
    assert [(m[1], m[2]) for m in mails] == [("REQUEST", uid(sent))]
    assert mails[0][4] > first[4] + 1  # outranks the invite and the cancel before it
    assert await feed_interviews(client, path) == set()

    # Choosing the same again moves nothing and sends nothing; the applicant and the other
    # panel member were never moved.
    assert await choose(client, member, "invites") == 0 and await delivered(smtp, member.email) == []
    assert await delivered(smtp, APPLICANT) == []
    assert not [m for m in await delivered(smtp, r.le_scorer.email) if m[0].startswith("Now")]
    assert await page_interviews(member) == {uid(sent)}

    # A later change of slot reaches the applicant with a sequence above every one sent before.
    await interviews.book(sent.token, (await slots(r, days=6))[0])
    [moved] = [m for m in await delivered(smtp, APPLICANT) if m[1]]
    assert moved[1] == "REQUEST" and moved[4] > mails[0][4]


async def test_the_migration_records_the_invites_sent_before_it_as_the_code_now_does(round_):
    """Interviews booked before per-person invite states existed had every panel member's invite
    sent: the migration's backfill must give the states telling them would have left."""
    from importlib import import_module

    from piccolo.engine import engine_finder

    from peerwork.recruitment.tables import InterviewInvite

    r = round_
    booked, cancelled = await shortlisted(r, "Alex Applicant", "Bea Applicant")
    both = await slots(r)
    await interviews.book(booked.token, both[0])
    await interviews.book(cancelled.token, both[1])
    await interviews.cancel_booking(cancelled.token)
    columns = (InterviewInvite.application, InterviewInvite.account, InterviewInvite.invite_state)
    told = sorted(tuple(str(v) for v in row.values()) for row in await InterviewInvite.select(*columns)
                  if row["application"] == booked.application_id)
    assert len(told) == 2 and {t[2] for t in told} == {"request"}

    await InterviewInvite.delete(force=True)
    backfill = import_module("peerwork.migrations.recruitment.recruitment_2026_11_30t02_30_16_000001")
    for statement in backfill.STATEMENTS:
        if statement.startswith("INSERT"):
            await engine_finder().run_ddl(statement)
    assert sorted(tuple(str(v) for v in row.values()) for row in await InterviewInvite.select(*columns)) == told
