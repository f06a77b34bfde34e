"""Supervision sessions follow each person's choice of invites, feed or both, as bookings do:
the mails that reach a real SMTP server on loopback carry a calendar part only where the choice
says so, the feed lists a session only where no invite already put it in the mail calendar (or
the choice is both), and the My calendar page lists every session."""

from __future__ import annotations

from datetime import date, time, timedelta
from email import message_from_bytes

import pytest
from icalendar import Calendar

from peerwork import capabilities
from peerwork.calendar import feeds
from peerwork.core.mail.outbox import deliver_due
from peerwork.supervision import agreements, sessions
from peerwork.supervision.schemas import AgreementIn, GroupIn
from tests.factories import make_org, make_user
from tests.mailserver import SmtpServer


@pytest.fixture
async def team():
    org = await make_org("north")
    return {
        "org": org,
        "lead": await make_user(org, "peer_lead"),
        "supervisor": await make_user(org, "supervisor", email="sam.supervisor@north.example"),
        "psw": await make_user(org, "psw", email="pat.psw@north.example"),
    }


async def booked_sessions(team, months: int = 2, start_in_days: int = 1) -> list:
    """An agreement's sessions, accepted (so everyone in them is told)."""
    made = await agreements.create_agreement(team["lead"].principal, AgreementIn(
        supervisor_id=team["supervisor"].principal.account_id, supervisee_id=team["psw"].principal.account_id,
        start_date=date.today() + timedelta(days=start_in_days), every_days=28, preferred_weekday=2,
        window_start=time(10), window_end=time(15)))
    await sessions.propose_sessions(team["lead"].principal, made.id, months=months)
    accepted = await sessions.accept(team["lead"].principal, made.id, [])
    assert accepted
    return accepted


async def booked_group_sessions(team, members: list) -> list:
    group = await agreements.create_group(team["lead"].principal, GroupIn(
        name="Tuesday group", facilitator_ids=[team["supervisor"].principal.account_id],
        member_ids=[m.principal.account_id for m in members]))
    made = await agreements.create_agreement(team["lead"].principal, AgreementIn(
        kind="group", group_id=group.id, supervisor_id=team["supervisor"].principal.account_id,
        start_date=date.today() + timedelta(days=1), every_days=28))
    await sessions.propose_sessions(team["lead"].principal, made.id, months=2)
    accepted = await sessions.accept(team["lead"].principal, made.id, [])
    assert accepted
    return accepted


def uid(session) -> str:
    return f"supervision-{session.id}@peerwork"


async def choose(client, user, mode: str) -> None:
    response = await client.patch("/api/v1/community/preferences", headers=user.headers,
                                  json={"calendar_delivery": mode})
    assert response.status_code == 200, response.text


async def feed_link(client, user) -> str:
    made = await client.post("/api/v1/calendars/mine", headers=user.headers)
    assert made.status_code in (200, 201), made.text
    url = made.json()["url"]
    return url[url.index("/calendar/"):]


async def feed_sessions(client, path: str) -> set[str]:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return {str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT")
            if str(e["UID"]).startswith("supervision-")}


async def page_sessions(user) -> set[str]:
    """What the My calendar page lists: every event, however it reaches the calendar app."""
    events = await feeds.personal_events(user.principal.account_id, capabilities.calendar_providers(), for_feed=False)
    return {e.uid for e in events if e.uid.startswith("supervision-")}


async def delivered(smtp: SmtpServer, address: str) -> list[tuple[str, str | None, str]]:
    """(subject, calendar METHOD or None, UID or "", text, SEQUENCE or -1) of each mail the server received for ``address``
    since the last call, after the outbox has sent everything due."""
    report = await deliver_due(smtp.transport, max_attempts=3, sender="peerwork@north.example")
    assert report.failed == 0
    mails, others = [], []
    for raw in smtp.received:
        message = message_from_bytes(raw)
        if address not in message["To"]:
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


@pytest.mark.parametrize(("mode", "invited", "in_feed"), [
    ("invites", True, False),
    ("feed", False, True),
    ("both", True, True),
])
async def test_each_choice_decides_the_invites_and_the_feed_and_the_page_lists_every_session(
        client, smtp, team, mode, invited, in_feed):
    psw = team["psw"]
    await choose(client, psw, mode)
    booked = await booked_sessions(team)
    mails = await delivered(smtp, psw.email)
    assert len(mails) == len(booked)  # each session is told about, whatever the choice
    assert {m[1] for m in mails} == ({"REQUEST"} if invited else {None})
    if invited:
        assert {m[2] for m in mails} == {uid(s) for s in booked}
    else:
        assert all("calendar feed" in m[3] for m in mails)  # the mail says where to find it
    path = await feed_link(client, psw)
    assert await feed_sessions(client, path) == ({uid(s) for s in booked} if in_feed else set())
    assert await page_sessions(psw) == {uid(s) for s in booked}

    # The supervisor kept the default and has no feed link: invites, as before.
    supervisor_mails = await delivered(smtp, team["supervisor"].email)
    assert {m[1] for m in supervisor_mails} == {"REQUEST"}


async def test_automatic_keeps_invited_sessions_as_invites_and_puts_new_ones_in_the_feed_once_there_is_a_link(
        client, smtp, team):
    psw = team["psw"]
    earlier = await booked_sessions(team)
    assert {m[1] for m in await delivered(smtp, psw.email)} == {"REQUEST"}

    path = await feed_link(client, psw)
    assert await feed_sessions(client, path) == set()  # making the link never shows them twice

    moved = earlier[0]
    await sessions.move(team["lead"].principal, moved.id, moved.start + timedelta(hours=1),
                        moved.end + timedelta(hours=1))
    mails = await delivered(smtp, psw.email)
    assert [(m[1], m[2]) for m in mails] == [("REQUEST", uid(moved))]  # an invite stays an invite until it ends
    assert await feed_sessions(client, path) == set()

    later = await booked_sessions(team, start_in_days=70)
    mails = await delivered(smtp, psw.email)
    assert len(mails) == len(later) and {m[1] for m in mails} == {None}
    assert all("It is in your peerwork calendar feed." in m[3] for m in mails)
    assert await feed_sessions(client, path) == {uid(s) for s in later}
    assert await page_sessions(psw) == {uid(s) for s in earlier + later}

    # Cancelled: the invited one gets its CANCEL; the one in the feed shows cancelled there, no mail part.
    await sessions.cancel(team["lead"].principal, earlier[0].id, "peer_lead")
    await sessions.cancel(team["lead"].principal, later[0].id, "peer_lead")
    mails = await delivered(smtp, psw.email)
    assert sorted((m[1] or "", m[2]) for m in mails) == sorted([("CANCEL", uid(earlier[0])), ("", "")])
    response = await client.get(path)
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert statuses[uid(later[0])] == "CANCELLED" and uid(earlier[0]) not in statuses


async def test_changing_the_choice_moves_coming_sessions_at_once_so_none_is_in_both_places_or_neither(
        client, smtp, team):
    psw = team["psw"]
    booked = await booked_sessions(team)
    first = {m[2]: m[4] for m in await delivered(smtp, psw.email)}
    path = await feed_link(client, psw)
    assert await feed_sessions(client, path) == set()

    answer = await client.patch("/api/v1/community/preferences", headers=psw.headers, json={"calendar_delivery": "feed"})
    assert answer.status_code == 200 and answer.json()["bookings_moved"] == len(booked)
    mails = await delivered(smtp, psw.email)
    assert sorted((m[1], m[2]) for m in mails) == sorted(("CANCEL", uid(s)) for s in booked)
    assert all(m[0].startswith("Now in your calendar feed") for m in mails)
    assert await feed_sessions(client, path) == {uid(s) for s in booked}

    answer = await client.patch("/api/v1/community/preferences", headers=psw.headers,
                                json={"calendar_delivery": "invites"})
    assert answer.json()["bookings_moved"] == len(booked)
    mails = await delivered(smtp, psw.email)
    assert sorted((m[1], m[2]) for m in mails) == sorted(("REQUEST", uid(s)) for s in booked)
    assert await feed_sessions(client, path) == set()
    assert all(m[4] > first[m[2]] + 1 for m in mails)  # each outranks the invite and the cancel before it

    # Choosing the same again moves nothing and sends nothing; the supervisor was never moved.
    answer = await client.patch("/api/v1/community/preferences", headers=psw.headers,
                                json={"calendar_delivery": "invites"})
    assert answer.json()["bookings_moved"] == 0 and await delivered(smtp, psw.email) == []
    assert not [m for m in await delivered(smtp, team["supervisor"].email) if m[0].startswith("Now")]
    assert await page_sessions(psw) == {uid(s) for s in booked}


async def test_the_migration_records_the_invites_sent_before_it_as_the_code_now_does(team):
    """Sessions booked before per-person invite states existed had every invite sent: the
    migration's backfill must give the states telling them would have left."""
    from importlib import import_module

    from piccolo.engine import engine_finder

    from peerwork.supervision.tables import SessionInvite

    booked = await booked_sessions(team)
    members = [team["psw"], await make_user(team["org"], "psw", email="gus.group@north.example")]
    grouped = await booked_group_sessions(team, members)
    await sessions.cancel(team["lead"].principal, booked[0].id, "peer_lead")
    columns = (SessionInvite.session, SessionInvite.account, SessionInvite.invite_state)
    told = sorted(tuple(str(v) for v in r.values()) for r in await SessionInvite.select(*columns))
    assert len(told) == 2 * len(booked) + (1 + len(members)) * len(grouped)

    await SessionInvite.delete(force=True)
    backfill = import_module("peerwork.migrations.supervision.supervision_2026_11_30t02_00_16_000001")
    for statement in backfill.STATEMENTS:
        if statement.startswith("INSERT"):
            await engine_finder().run_ddl(statement)
    assert sorted(tuple(str(v) for v in r.values()) for r in await SessionInvite.select(*columns)) == told


async def test_group_members_each_get_their_own_choice(client, smtp, team):
    psw = team["psw"]
    await choose(client, psw, "feed")
    grouped = await booked_group_sessions(team, [psw])
    assert {m[1] for m in await delivered(smtp, psw.email)} == {None}
    assert {m[1] for m in await delivered(smtp, team["supervisor"].email)} == {"REQUEST"}
    assert await feed_sessions(client, await feed_link(client, psw)) == {uid(s) for s in grouped}
    assert await feed_sessions(client, await feed_link(client, team["supervisor"])) == set()
