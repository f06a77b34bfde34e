"""Booking a place: capacity, waiting list, promotion, and what people are told."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from peerwork.community import bookings, series
from peerwork.community.tables import Booking
from peerwork.core.errors import Conflict, NotFound, PermissionDenied
from tests.conftest import IS_POSTGRES
from tests.factories import make_org, make_user
from tests.integration.community.helpers import first_occurrence, invite_fields, mail_to, make_series


@pytest.fixture
async def north():
    org = await make_org("north", network="region")
    lead = await make_user(org, "peer_lead")
    psws = [await make_user(org, "psw", email=f"psw{i}@north.example") for i in range(4)]
    return org, lead, psws


async def test_places_then_waiting_list_then_promotion_with_invites(north):
    _, lead, (a, b, c, _) = north
    await make_series(lead, capacity=2)
    occurrence = await first_occurrence(a)
    first, second, third = [await bookings.book(u.principal, occurrence.id) for u in (a, b, c)]
    assert (first.status, second.status, third.status) == ("confirmed", "confirmed", "waitlisted")
    assert third.waitlist_position == 1

    invite = (await mail_to(a.email))[0]
    assert invite["calendar_method"] == "REQUEST" and invite["subject"].startswith("Booked: Co-reflection")
    fields = invite_fields(invite["calendar_ics"])
    assert fields["METHOD"] == "REQUEST" and fields["SEQUENCE"] == 0 and fields["UID"] == f"occurrence-{occurrence.id}@peerwork"
    assert "psw0@north.example" in fields["ATTENDEE"]
    waiting = (await mail_to(c.email))[0]
    assert waiting["calendar_method"] is None and "position 1" in waiting["subject"]

    await bookings.cancel(a.principal, first.id)
    cancel = (await mail_to(a.email))[-1]
    cancel_fields = invite_fields(cancel["calendar_ics"])
    assert cancel["calendar_method"] == "CANCEL" and cancel_fields["METHOD"] == "CANCEL"
    assert cancel_fields["STATUS"] == "CANCELLED" and cancel_fields["SEQUENCE"] == 1 and cancel_fields["UID"] == fields["UID"]
    # Only the person who cancelled gets the CANCEL; the first in the queue gets the place.
    assert [m["calendar_method"] for m in await mail_to(b.email)] == ["REQUEST"]
    promoted = (await mail_to(c.email))[-1]
    assert promoted["subject"].startswith("A place is yours") and invite_fields(promoted["calendar_ics"])["SEQUENCE"] == 1
    statuses = {r["account"]: r["status"] for r in await Booking.select(Booking.account, Booking.status)}
    assert statuses[c.principal.account_id] == "confirmed" and statuses[a.principal.account_id] == "cancelled"


async def test_booking_twice_changes_nothing_and_rebooking_goes_to_the_back(north):
    _, lead, (a, b, c, _) = north
    await make_series(lead, capacity=1)
    occurrence = await first_occurrence(a)
    held = await bookings.book(a.principal, occurrence.id)
    assert (await bookings.book(a.principal, occurrence.id)).id == held.id
    assert await Booking.count() == 1 and len(await mail_to(a.email)) == 1
    await bookings.book(b.principal, occurrence.id)
    cancelled = await bookings.cancel(a.principal, held.id)
    again = await bookings.book(a.principal, occurrence.id)
    assert cancelled.status == "cancelled" and again.id == held.id
    assert again.status == "waitlisted" and again.waitlist_position == 1 and again.sequence == 2


async def test_cancelled_occurrences_and_closed_booking_are_refused(north):
    _, lead, (a, *_) = north
    await make_series(lead, capacity=5)
    occurrence = await first_occurrence(a)
    await series.cancel_occurrence(lead.principal, occurrence.id, "Snow")
    with pytest.raises(Conflict, match="cancelled"):
        await bookings.book(a.principal, occurrence.id)
    soon = await make_series(lead, capacity=5, title="Soon")
    late = await first_occurrence(a, soon.id)
    # Booking closes an hour before the start (the default cut-off).
    await series.move_occurrence(lead.principal, late.id, datetime.now(timezone.utc) + timedelta(minutes=30),
                                 datetime.now(timezone.utc) + timedelta(minutes=90))
    with pytest.raises(Conflict, match="closed"):
        await bookings.book(a.principal, late.id)


async def test_network_spaces_are_shared_and_organisation_spaces_are_not(north):
    _, lead, (a, *_) = north
    partner = await make_org("partner", network="region")
    stranger_org = await make_org("elsewhere")
    guest, stranger = await make_user(partner, "psw"), await make_user(stranger_org, "psw")
    private = await make_series(lead, title="North only")
    shared = await make_series(lead, title="Network meeting", visibility="network")
    private_occurrence = await first_occurrence(a, private.id)
    shared_occurrence = await first_occurrence(a, shared.id)
    assert {o.series_id for o in await bookings.upcoming(guest.principal, days=366)} == {shared.id}
    assert await bookings.upcoming(stranger.principal, days=366) == []
    with pytest.raises(NotFound):
        await bookings.book(guest.principal, private_occurrence.id)
    with pytest.raises(NotFound):
        await bookings.book(stranger.principal, shared_occurrence.id)
    booked = await bookings.book(guest.principal, shared_occurrence.id)
    assert booked.status == "confirmed"
    assert (await Booking.select(Booking.organisation).first())["organisation"] == partner.id


async def test_facilitators_mark_attendance_after_it_starts_and_others_cannot(north):
    org, lead, (a, b, facilitator, _) = north
    made = await make_series(lead, capacity=5, facilitators=[facilitator.principal.account_id])
    occurrence = await first_occurrence(a, made.id)
    booking = await bookings.book(a.principal, occurrence.id)
    with pytest.raises(Exception, match="once the occurrence has started"):
        await bookings.mark_attendance(facilitator.principal, booking.id, True)
    now = datetime.now(timezone.utc)
    await series.move_occurrence(lead.principal, occurrence.id, now - timedelta(hours=2), now - timedelta(hours=1))
    marked = await bookings.mark_attendance(facilitator.principal, booking.id, True)
    assert marked.attended is True
    with pytest.raises(PermissionDenied):
        await bookings.mark_attendance(b.principal, booking.id, False)


async def test_moving_and_cancelling_tell_everyone_booked_with_rising_sequence(north):
    _, lead, (a, b, *_) = north
    await make_series(lead, capacity=1)
    occurrence = await first_occurrence(a)
    await bookings.book(a.principal, occurrence.id)
    await bookings.book(b.principal, occurrence.id)  # waitlisted: no invite to update
    new_start = occurrence.start + timedelta(hours=1)
    await series.move_occurrence(lead.principal, occurrence.id, new_start, new_start + timedelta(hours=1))
    moved = (await mail_to(a.email))[-1]
    assert moved["subject"].startswith("Changed") and invite_fields(moved["calendar_ics"])["SEQUENCE"] == 1
    await series.cancel_occurrence(lead.principal, occurrence.id, "Facilitator unwell")
    cancel = (await mail_to(a.email))[-1]
    assert invite_fields(cancel["calendar_ics"])["METHOD"] == "CANCEL" and invite_fields(cancel["calendar_ics"])["SEQUENCE"] == 2
    assert "Facilitator unwell" in cancel["body_text"]
    assert [m["calendar_method"] for m in await mail_to(b.email)] == [None, None]


@pytest.mark.parametrize("instances", ["one instance", "every request its own instance"])
async def test_two_hundred_concurrent_bookings_on_twelve_places(north, instances, monkeypatch):
    if instances != "one instance":
        # No shared in-process queue: only the database's row lock keeps order, as between servers.
        monkeypatch.setattr(bookings, "_queue_for", lambda occurrence_id: asyncio.Lock())
    org, lead, _ = north
    people = [await make_user(org, "psw", email=f"rush{i}@north.example") for i in range(200 if IS_POSTGRES else 60)]
    await make_series(lead, capacity=12)
    occurrence = await first_occurrence(people[0])
    results = await asyncio.gather(*(bookings.book(p.principal, occurrence.id) for p in people))
    confirmed = [r for r in results if r.status == "confirmed"]
    waitlisted = [r for r in results if r.status == "waitlisted"]
    assert len(confirmed) == 12 and len(waitlisted) == len(people) - 12
    rows = await Booking.select(Booking.status, Booking.queue_position, Booking.id).order_by(Booking.queue_position)
    assert [r["queue_position"] for r in rows] == list(range(1, len(people) + 1))  # none lost, none twice
    assert {r["status"] for r in rows[:12]} == {"confirmed"} and {r["status"] for r in rows[12:]} == {"waitlisted"}
    assert sorted(r.waitlist_position for r in waitlisted) == list(range(1, len(people) - 11))

    # Three cancel at once: the next three in the queue, in order, get the places.
    leavers = [p for p, r in zip(people, results) if r.status == "confirmed"][:3]
    mine = {p.principal.account_id: r for p, r in zip(people, results)}
    await asyncio.gather(*(bookings.cancel(p.principal, mine[p.principal.account_id].id) for p in leavers))
    after = await Booking.select(Booking.status, Booking.queue_position).order_by(Booking.queue_position)
    assert sum(r["status"] == "confirmed" for r in after) == 12
    assert [r["status"] for r in after[12:15]] == ["confirmed"] * 3
    assert all(r["status"] == "waitlisted" for r in after[15:])
