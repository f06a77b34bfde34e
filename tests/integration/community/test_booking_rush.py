"""A rush on one occurrence, as between several servers: every booking keeps its place in the
queue, its email and its audit entry, and a cancelled booking's queue slot is never reused."""

import asyncio
from datetime import timedelta

import pytest

from peerwork.core.errors import NotFound

from peerwork.community import bookings
from peerwork.community.tables import Booking
from peerwork.core.tables import AuditLog, OutboxMessage
from tests.conftest import IS_POSTGRES
from tests.factories import make_org, make_user
from tests.integration.community.helpers import first_occurrence, invite_fields, make_series


@pytest.fixture
async def rush(monkeypatch):
    # No shared in-process queue: only the database's row lock keeps order, as between servers.
    monkeypatch.setattr(bookings, "_queue_for", lambda occurrence_id: asyncio.Lock())
    org = await make_org("rush")
    lead = await make_user(org, "peer_lead")
    people = [await make_user(org, "psw", email=f"booker{i}@rush.example") for i in range(50 if IS_POSTGRES else 20)]
    await make_series(lead, capacity=5)
    return people, await first_occurrence(people[0])


async def test_fifty_at_once_on_five_places_each_with_email_and_audit_entry(rush):
    people, occurrence = rush
    results = await asyncio.gather(*(bookings.book(p.principal, occurrence.id) for p in people))

    rows = await Booking.select().order_by(Booking.queue_position)
    assert [r["queue_position"] for r in rows] == list(range(1, len(people) + 1))  # no gaps, none twice
    assert [r["status"] for r in rows] == ["confirmed"] * 5 + ["waitlisted"] * (len(people) - 5)
    answered = {r.id: r for r in results}
    assert set(answered) == {r["id"] for r in rows}
    for row in rows:  # the answer says what the database holds, position included
        answer = answered[row["id"]]
        assert answer.status == row["status"]
        assert answer.waitlist_position == (None if row["status"] == "confirmed" else row["queue_position"] - 5)
        assert row["invite_state"] == ("request" if row["status"] == "confirmed" else None)

    emails = {m["to_address"]: m for m in await OutboxMessage.select()}
    assert len(emails) == len(people)
    by_account = {p.principal.account_id: p.email for p in people}
    for row in rows:
        email = emails[by_account[row["account"]]]
        if row["status"] == "confirmed":
            assert email["subject"].startswith("Booked") and invite_fields(email["calendar_ics"])["METHOD"] == "REQUEST"
        else:
            assert email["calendar_method"] is None
            assert f"position {row['queue_position'] - 5})" in email["subject"]

    entries = await AuditLog.select().where(AuditLog.table_name == "booking").output(load_json=True)
    assert sorted(e["record_id"] for e in entries) == sorted(str(r["id"]) for r in rows)
    statuses = {str(r["id"]): r["status"] for r in rows}
    for e in entries:
        assert e["action"] == "create" and e["detail"]["status"] == statuses[e["record_id"]]
        assert e["account"] is not None and e["organisation"] is not None


async def test_booking_again_after_the_rush_joins_the_back_and_twice_changes_nothing(rush):
    people, occurrence = rush
    first, *others = people
    held = await bookings.book(first.principal, occurrence.id)
    await asyncio.gather(*(bookings.book(p.principal, occurrence.id) for p in others),
                         *(bookings.book(first.principal, occurrence.id) for _ in range(3)))
    assert await Booking.count().where(Booking.account == first.principal.account_id) == 1
    await bookings.cancel(first.principal, held.id)
    again = await bookings.book(first.principal, occurrence.id)
    assert again.id == held.id and again.status == "waitlisted"
    assert again.waitlist_position == len(people) - 5
    positions = await Booking.select(Booking.queue_position).order_by(Booking.queue_position).output(as_list=True)
    assert positions == list(range(2, len(people) + 2))  # the rebooking went to the back


async def test_everyone_waiting_on_one_instance_is_booked_in_arrival_order():
    """Requests held up behind one instance's queue for an occurrence (booked together on
    PostgreSQL): a stranger is refused, someone asking twice gets one booking, someone who had
    cancelled gets their old booking back at the back of the queue, and on PostgreSQL the order
    they came in decides the places."""
    org, elsewhere = await make_org("rush"), await make_org("elsewhere")
    lead = await make_user(org, "peer_lead")
    a, r, *others = [await make_user(org, "psw", email=f"p{i}@rush.example") for i in range(7)]
    stranger = await make_user(elsewhere, "psw")
    await make_series(lead, capacity=5)
    occurrence = await first_occurrence(a)
    before = await bookings.book(r.principal, occurrence.id)
    await bookings.cancel(r.principal, before.id)

    queue = bookings._queue_for(occurrence.id)  # held: everyone below waits behind it
    await queue.acquire()
    arrivals = [a, others[0], stranger, a, others[1], others[2], r, others[3], others[4]]
    asked = [asyncio.create_task(bookings.book(p.principal, occurrence.id)) for p in arrivals]
    await asyncio.sleep(0.2)
    if IS_POSTGRES:
        assert len(bookings._asking[occurrence.id]) == len(arrivals)
    queue.release()
    answers = await asyncio.gather(*asked, return_exceptions=True)

    assert isinstance(answers[2], NotFound)
    assert answers[3].id == answers[0].id
    assert answers[6].id == before.id
    booked = [answers[i] for i in (0, 1, 4, 5, 6, 7, 8)]
    assert sorted(x.status for x in booked) == ["confirmed"] * 5 + ["waitlisted"] * 2
    assert sorted(x.waitlist_position for x in booked if x.status == "waitlisted") == [1, 2]
    rows = await Booking.select(Booking.account, Booking.status, Booking.queue_position, Booking.sequence,
                                Booking.invite_state).order_by(Booking.queue_position)
    assert [row["queue_position"] for row in rows] == list(range(2, 9))  # after r's first, cancelled, turn
    assert [row["status"] for row in rows] == ["confirmed"] * 5 + ["waitlisted"] * 2
    assert await AuditLog.count().where((AuditLog.table_name == "booking") & (AuditLog.action == "create")) == 8
    if IS_POSTGRES:  # taken from the instance's queue in the order they came, before any database work
        in_order = [a, others[0], others[1], others[2], r, others[3], others[4]]
        assert [row["account"] for row in rows] == [p.principal.account_id for p in in_order]
        assert [(answers[i].status, answers[i].waitlist_position) for i in (6, 7, 8)] == [
            ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]
        again = next(row for row in rows if row["account"] == r.principal.account_id)
        assert again["sequence"] == 2 and again["invite_state"] == "request"  # booked, cancelled, booked again
        invites = await OutboxMessage.select().where(OutboxMessage.to_address == r.email).order_by(
            OutboxMessage.created_at)
        assert [m["calendar_method"] for m in invites] == ["REQUEST", "CANCEL", "REQUEST"]
        assert invite_fields(invites[-1]["calendar_ics"])["SEQUENCE"] == 2


async def test_many_emails_and_their_audit_entries_are_written_together_and_checked_alike():
    from peerwork.calendar import ical
    from peerwork.core import audit
    from peerwork.core.errors import InvalidInput
    from peerwork.core.mail.outbox import enqueue_all
    from peerwork.core.time import now

    org = await make_org("rush")
    lead = await make_user(org, "peer_lead")
    event = ical.CalEvent(uid="u@peerwork", summary="Co-reflection", start=now(), end=now() + timedelta(hours=1), stamp=now(), sequence=0)
    invite = ical.invite("REQUEST", event, organizer=ical.Person(email="from@rush.example", name="Rush"),
                         attendee=ical.Person(email="a@rush.example", name="A"))
    messages = [
        dict(to_address="a@rush.example", subject="Booked", body_text="Hello", calendar=("REQUEST", invite),
             dedupe_key="rush:a", organisation_id=org.id),
        dict(to_address="b@rush.example", to_name="B", subject="Waitlisted", body_text="Hello", dedupe_key="rush:b"),
    ]
    entries = [audit.entry(lead.principal, "create", "booking", i, status="confirmed") for i in range(2)]
    assert await enqueue_all(messages, audit_entries=entries) == 2
    assert await enqueue_all(messages[:1]) == 0  # already queued
    rows = await OutboxMessage.select().order_by(OutboxMessage.to_address)
    assert [(r["to_address"], r["calendar_method"], r["status"]) for r in rows] == [
        ("a@rush.example", "REQUEST", "pending"), ("b@rush.example", None, "pending")]
    assert rows[0]["calendar_ics"].startswith("BEGIN:VCALENDAR") and rows[0]["organisation"] == org.id
    written = await AuditLog.select().where(AuditLog.table_name == "booking").output(load_json=True)
    assert sorted(e["record_id"] for e in written) == ["0", "1"]
    assert all(e["detail"] == {"status": "confirmed", "via": lead.principal.via} for e in written)
    with pytest.raises(InvalidInput):  # checked before anything is written
        await enqueue_all([dict(to_address="not an address", subject="x", body_text="x")],
                          audit_entries=[audit.entry(lead.principal, "create", "booking", "x")])
    assert await AuditLog.count().where(AuditLog.record_id == "x") == 0
