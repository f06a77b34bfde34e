"""Places on course runs: one engine with reflective spaces, booking someone else, approval,
cut-off and rights."""

import asyncio
from datetime import date, time, timedelta

import msgspec
import pytest

from peerwork.community import booking_sets, bookings, series
from peerwork.community import calendar as community_calendar
from peerwork.core.time import now
from peerwork.community.tables import Booking, Occurrence
from peerwork.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from peerwork.training import places, runs
from peerwork.training.schemas import RunIn
from peerwork.training.tables import CourseRun, PlaceRequest
from tests.conftest import IS_POSTGRES
from tests.factories import make_org, make_user
from tests.integration.community.helpers import invite_fields, mail_to
from tests.integration.training.helpers import make_course, make_run, make_trainer, manage


@pytest.fixture
async def north():
    org = await make_org("north")
    lead = await make_user(org, "peer_lead")
    psws = [await make_user(org, "psw", email=f"psw{i}@north.example") for i in range(4)]
    return org, lead, psws


async def _statuses(run_id, account_id) -> list[str]:
    run = await CourseRun.select(CourseRun.series).where(CourseRun.id == run_id).first()
    return await Booking.select(Booking.status).where(
        (Booking.occurrence.series == run["series"]) & (Booking.account == account_id)
    ).order_by(Booking.occurrence.start).output(as_list=True)


async def test_scheduling_makes_a_training_series_listed_apart_from_spaces(north):
    org, lead, (a, trainer_user, *_) = north
    course = await make_course(org)
    trainer = await make_trainer(lead, trainer_user)
    run = await make_run(lead, course, sessions=3, trainers=[trainer])
    assert [s.start.astimezone().hour for s in run.sessions] and len(run.sessions) == 3
    assert run.sessions[1].start - run.sessions[0].start == timedelta(days=7)
    assert run.trainers == [trainer_user.principal.display_name] and run.places_left == 12
    assert run.title == "Peer support foundations" and run.booking_open
    # Not a reflective space: neither in the spaces list nor among the series...
    assert await bookings.upcoming(a.principal, days=366) == []
    assert await series.list_series(lead.principal) == []
    # ...but it is on the runs list, with its trainers as the sessions' facilitators.
    assert [r.id for r in await runs.list_runs(a.principal)] == [run.id]


async def test_a_place_is_a_place_on_every_session_with_an_invite_each(north):
    org, lead, (a, b, c, _) = north
    run = await make_run(lead, await make_course(org), capacity=2, sessions=2)
    for person in (a, b, c):
        await places.book_self(person.principal, run.id)
    assert await _statuses(run.id, a.principal.account_id) == ["confirmed", "confirmed"]
    assert await _statuses(run.id, c.principal.account_id) == ["waitlisted", "waitlisted"]
    invites = [m for m in await mail_to(a.email) if m["calendar_method"] == "REQUEST"]
    assert sorted(invite_fields(m["calendar_ics"])["UID"] for m in invites) == sorted(
        f"occurrence-{s.id}@peerwork" for s in run.sessions)
    feed = await community_calendar.booked_events(a.principal.account_id, now() - timedelta(days=1), for_feed=False)
    assert [e.summary for e in feed] == ["Peer support foundations"] * 2  # on their own calendar (My calendar)
    assert await community_calendar.open_series(org.id) == []  # not in the organisation's spaces feed
    mine = await runs.get_run(c.principal, run.id)
    assert mine.my_place.status == "waitlisted" and mine.my_place.waitlist_position == 1 and mine.places_left == 0

    # Cancelling frees the place on each session; the first waiting gets both, with invites.
    await places.cancel_mine(a.principal, run.id)
    assert await _statuses(run.id, a.principal.account_id) == ["cancelled", "cancelled"]
    assert await _statuses(run.id, c.principal.account_id) == ["confirmed", "confirmed"]
    cancels = [m for m in await mail_to(a.email) if m["calendar_method"] == "CANCEL"]
    assert len(cancels) == 2 and {invite_fields(m["calendar_ics"])["SEQUENCE"] for m in cancels} == {1}
    assert len([m for m in await mail_to(c.email) if m["calendar_method"] == "REQUEST"]) == 2

    # Booking again re-uses the rows: the invite's SEQUENCE keeps rising.
    await places.cancel_mine(b.principal, run.id)
    await places.book_self(a.principal, run.id)
    again = [m for m in await mail_to(a.email) if m["calendar_method"] == "REQUEST"][-1]
    assert invite_fields(again["calendar_ics"])["SEQUENCE"] == 2


async def test_a_course_session_is_not_booked_or_cancelled_on_its_own(north):
    org, lead, (a, *_) = north
    run = await make_run(lead, await make_course(org))
    with pytest.raises(Conflict):
        await bookings.book(a.principal, run.sessions[0].id)
    await places.book_self(a.principal, run.id)
    booking = await Booking.select(Booking.id).where(Booking.account == a.principal.account_id).first()
    with pytest.raises(Conflict):
        await bookings.cancel(a.principal, booking["id"])
    assert await _statuses(run.id, a.principal.account_id) == ["confirmed", "confirmed"]


@pytest.mark.parametrize("instances", ["one instance", "every request its own instance"])
async def test_many_bookers_at_once_on_a_course(north, instances, monkeypatch):
    if instances != "one instance":
        # No shared in-process queue: only the database's row locks keep order, as between servers.
        monkeypatch.setattr(booking_sets, "_queue_for", lambda occurrence_id: asyncio.Lock())
    org, lead, _ = north
    people = [await make_user(org, "psw", email=f"rush{i}@north.example") for i in range(80 if IS_POSTGRES else 30)]
    run = await make_run(lead, await make_course(org), capacity=8, sessions=2)
    await asyncio.gather(*(places.book_self(p.principal, run.id) for p in people))
    for session in run.sessions:
        rows = await Booking.select(Booking.account, Booking.status, Booking.queue_position).where(
            Booking.occurrence == session.id).order_by(Booking.queue_position)
        assert [r["queue_position"] for r in rows] == list(range(1, len(people) + 1))  # none lost, none twice
        assert [r["status"] for r in rows] == ["confirmed"] * 8 + ["waitlisted"] * (len(people) - 8)
    first, second = [[r for r in await Booking.select(Booking.account).where(Booking.occurrence == s.id).order_by(
        Booking.queue_position).output(as_list=True)] for s in run.sessions]
    assert first == second  # the same people hold places, and wait in the same order, on both sessions
    for person in people:
        statuses = await _statuses(run.id, person.principal.account_id)
        requests = [m for m in await mail_to(person.email) if m["calendar_method"] == "REQUEST"]
        assert len(set(statuses)) == 1
        assert len(requests) == (2 if statuses[0] == "confirmed" else 0)  # one invite per session's place

    # Three give up at once: the next three in the queue get both places, in order.
    leavers = [p for p in people if (await _statuses(run.id, p.principal.account_id))[0] == "confirmed"][:3]
    await asyncio.gather(*(places.cancel_mine(p.principal, run.id) for p in leavers))
    for session in run.sessions:
        rows = await Booking.select(Booking.account, Booking.status).where(
            Booking.occurrence == session.id).order_by(Booking.queue_position)
        assert sum(r["status"] == "confirmed" for r in rows) == 8
        assert [r["status"] for r in rows[8:11]] == ["confirmed"] * 3
        assert all(r["status"] == "waitlisted" for r in rows[11:])


async def test_someone_booked_by_their_manager_is_told_and_may_decline(north):
    org, lead, (a, b, manager, _) = north
    await manage(org, manager, a)
    run = await make_run(lead, await make_course(org), capacity=1, sessions=2)
    request = await places.book_other(manager.principal, run.id, a.principal.account_id)
    assert request.status == "booked" and request.booked_by == manager.principal.display_name
    told = [m for m in await mail_to(a.email) if m["subject"].startswith("You have a place")]
    assert len(told) == 1 and "decline" in told[0]["body_text"]
    await places.book_self(b.principal, run.id)  # full: waits
    assert await _statuses(run.id, b.principal.account_id) == ["waitlisted", "waitlisted"]
    # Only the person declines their own place; declining frees it for the first waiting.
    with pytest.raises(NotFound):
        await places.decline(b.principal, request.id)
    declined = await places.decline(a.principal, request.id)
    assert declined.status == "declined"
    assert await _statuses(run.id, a.principal.account_id) == ["cancelled", "cancelled"]
    assert await _statuses(run.id, b.principal.account_id) == ["confirmed", "confirmed"]
    with pytest.raises(Conflict):
        await places.decline(a.principal, request.id)


async def test_only_a_training_lead_or_the_line_manager_books_for_someone(north):
    org, lead, (a, b, _, _) = north
    run = await make_run(lead, await make_course(org))
    with pytest.raises(PermissionDenied):
        await places.book_other(b.principal, run.id, a.principal.account_id)
    assert await _statuses(run.id, a.principal.account_id) == []
    made = await places.book_other(lead.principal, run.id, a.principal.account_id)  # a peer lead may
    assert made.status == "booked"
    other = await make_org("south")
    stranger = await make_user(other, "psw", email="psw@south.example")
    with pytest.raises(InvalidInput):
        await places.book_other(lead.principal, run.id, stranger.principal.account_id)


async def test_approval_holds_no_place_until_the_manager_approves_or_refuses(north):
    org, lead, (a, b, manager, c) = north
    await manage(org, manager, a)
    await manage(org, manager, b)
    run = await make_run(lead, await make_course(org), capacity=1, approval=True)
    await places.book_self(a.principal, run.id)
    await places.book_self(b.principal, run.id)
    assert (await runs.get_run(a.principal, run.id)).my_place.status == "pending"
    assert await _statuses(run.id, a.principal.account_id) == []  # nothing held while pending
    assert (await runs.get_run(a.principal, run.id)).places_left == 1
    assert any(m["subject"].startswith("Approval asked") for m in await mail_to(manager.email))
    awaiting = await places.awaiting_me(manager.principal)
    assert [r.account_id for r in awaiting] == [a.principal.account_id, b.principal.account_id]
    # Not the manager: neither a colleague nor the person themself decides.
    for someone in (c, a):
        with pytest.raises(PermissionDenied):
            await places.decide(someone.principal, awaiting[0].id, approve=True)
    approved = await places.decide(manager.principal, awaiting[0].id, approve=True)
    assert approved.status == "booked"
    assert await _statuses(run.id, a.principal.account_id) == ["confirmed", "confirmed"]
    assert len([m for m in await mail_to(a.email) if m["calendar_method"] == "REQUEST"]) == 2
    refused = await places.decide(manager.principal, awaiting[1].id, approve=False)
    assert refused.status == "refused" and await _statuses(run.id, b.principal.account_id) == []
    with pytest.raises(Conflict):
        await places.decide(manager.principal, awaiting[1].id, approve=True)
    # A peer lead booking someone onto an approval run asks their manager too.
    pending = await places.book_other(lead.principal, run.id, b.principal.account_id)
    assert pending.status == "pending"


async def test_booking_closes_at_the_cut_off_and_on_cancellation(north):
    org, lead, (a, b, *_) = north
    run = await make_run(lead, await make_course(org), days_ahead=1, cutoff_hours=72)
    assert not run.booking_open
    with pytest.raises(Conflict):
        await places.book_self(a.principal, run.id)
    assert await Booking.count() == 0
    open_run = await make_run(lead, await make_course(org, "Refresher"), days_ahead=10)
    await places.book_self(a.principal, open_run.id)
    cancelled = await runs.cancel_run(lead.principal, open_run.id)
    assert cancelled.status == "cancelled" and {s.status for s in cancelled.sessions} == {"cancelled"}
    assert len([m for m in await mail_to(a.email) if m["calendar_method"] == "CANCEL"]) == 2
    with pytest.raises(Conflict):
        await places.book_self(b.principal, open_run.id)


async def test_scheduling_rights_and_bad_input_leave_nothing_behind(north):
    org, lead, (a, trainer_user, *_) = north
    course = await make_course(org)
    with pytest.raises(PermissionDenied):
        await make_run(a, course)
    base = dict(course_id=course.id, start_date=date.today() + timedelta(days=7), start_time=time(10),
                end_time=time(12), capacity=5)
    with pytest.raises(InvalidInput):  # online without a link
        await runs.schedule_run(lead.principal, RunIn(**base, delivery="online"))
    with pytest.raises(InvalidInput):  # a trainer not in the pool
        await runs.schedule_run(lead.principal, RunIn(**base, location="Room 1",
                                                      trainer_ids=[trainer_user.principal.account_id]))
    with pytest.raises(InvalidInput):  # ends before it starts
        await runs.schedule_run(lead.principal, RunIn(**{**base, "end_time": time(9)}, location="Room 1"))
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({**{k: str(v) for k, v in base.items()}, "online_link": "javascript:alert(1)"}, RunIn)
    assert await CourseRun.count() == 0 and await Occurrence.count() == 0
    other = await make_org("south")
    south_lead = await make_user(other, "peer_lead", email="lead@south.example")
    run = await make_run(lead, course)
    with pytest.raises(NotFound):
        await runs.get_run(south_lead.principal, run.id)
    with pytest.raises(NotFound):
        await places.book_self(south_lead.principal, run.id)
    assert await PlaceRequest.count() == 0
