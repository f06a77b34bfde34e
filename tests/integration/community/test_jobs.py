"""Scheduled community work: the day-before reminder and the monthly newsletter."""

from datetime import datetime, time, timedelta, timezone

from peerwork.community import bookings, preferences, series
from peerwork.community.jobs import newsletter_month, send_newsletters, send_reminders
from peerwork.core.time import LONDON, london
from peerwork.core.tables import OutboxMessage
from tests.factories import make_org, make_user
from tests.integration.community.helpers import first_occurrence, make_series


async def test_reminders_go_once_to_confirmed_people_for_tomorrow_only():
    org = await make_org()
    lead, booked, waiting = await make_user(org, "peer_lead"), await make_user(org, "psw"), await make_user(org, "psw", email="w@north.example")
    await make_series(lead, capacity=1)
    occurrence = await first_occurrence(booked)
    await bookings.book(booked.principal, occurrence.id)
    await bookings.book(waiting.principal, occurrence.id)
    day_before = london(datetime.combine(occurrence.start.astimezone(LONDON).date() - timedelta(days=1), time(9)))
    assert await send_reminders(day_before) == 1
    assert await send_reminders(day_before) == 1  # a re-run queues nothing new
    reminders = await OutboxMessage.select(OutboxMessage.to_address).where(OutboxMessage.subject.like("Tomorrow%"))
    assert reminders == [{"to_address": booked.email}]
    assert await send_reminders(day_before - timedelta(days=1)) == 0


async def test_newsletter_lists_next_months_spaces_and_respects_opt_out():
    org = await make_org()
    lead = await make_user(org, "peer_lead")
    reader, opted_out = await make_user(org, "psw", email="reader@north.example"), await make_user(org, "psw", email="quiet@north.example")
    await preferences.set_newsletter(opted_out.principal, False)
    made = await make_series(lead, rrule="FREQ=WEEKLY;BYDAY=TU", days_ahead=0)
    occurrences = [o for o in await bookings.upcoming(lead.principal, days=70) if o.series_id == made.id]
    due = datetime.now(timezone.utc)
    month_start, month_end = newsletter_month(due)
    in_month = [o for o in occurrences if month_start <= o.start.astimezone(LONDON).date() < month_end]
    await series.cancel_occurrence(lead.principal, in_month[0].id)
    assert await send_newsletters(due) == 1
    assert await send_newsletters(due) == 1  # same month again: deduplicated in the outbox
    letters = await OutboxMessage.select().where(OutboxMessage.subject.like("Peer support newsletter%"))
    assert [m["to_address"] for m in letters] == [reader.email]
    body = letters[0]["body_text"]
    listed = [line for line in body.splitlines() if line.startswith("- Co-reflection")]
    assert len(listed) == len(in_month) - 1  # the cancelled date is left out
    assert f"{month_start:%B %Y}" in body


async def test_newsletter_goes_to_staff_in_post_with_accounts_never_to_leavers():
    from datetime import date

    from tests.development_helpers import account_for, import_staff, staff_row

    org = await make_org()
    today = date.today()
    await import_staff(
        org,
        staff_row("A-1", "E-Ann", started=today - timedelta(days=400)),
        staff_row("L-1", "E-Lee", started=today - timedelta(days=900)),  # a peer lead in a lived-experience post
        staff_row("B-1", "E-Bob", started=today - timedelta(days=100)),  # no account: no address
        staff_row("C-1", "E-Cat", started=today - timedelta(days=800), ended=today - timedelta(days=10)),
        staff_row("D-1", "E-Dan", started=today - timedelta(days=300), lived_experience=False, title="Nurse"),
    )
    ann = await account_for(org, "E-Ann", "Ann")
    lee = await account_for(org, "E-Lee", "Lee", "peer_lead")
    await account_for(org, "E-Cat", "Cat")  # left; her account is still active and holds the psw role
    await account_for(org, "E-Dan", "Dan")
    ivy = await make_user(org, "psw", email="ivy@north.example")  # no staff record: counted by the account
    await make_series(lee, rrule="FREQ=WEEKLY;BYDAY=TU", days_ahead=0)
    assert await send_newsletters(datetime.now(timezone.utc)) == 3
    letters = await OutboxMessage.select(OutboxMessage.to_address).where(
        OutboxMessage.subject.like("Peer support newsletter%"))
    assert sorted(m["to_address"] for m in letters) == sorted([ann.email, lee.email, ivy.email])
