"""Setting up reflective spaces: London times, horizon, changes from a date."""

from datetime import date, datetime, time, timedelta, timezone

import pytest

from peerwork.community import bookings, series
from peerwork.community.jobs import keep_horizon
from peerwork.core.time import LONDON
from peerwork.community.schemas import SeriesChange, SeriesIn
from peerwork.community.tables import Occurrence
from peerwork.core.errors import InvalidInput
from tests.factories import make_org, make_user
from tests.integration.community.helpers import first_occurrence, make_series


@pytest.fixture
async def lead():
    return await make_user(await make_org(), "peer_lead")


async def test_first_tuesday_stays_at_one_pm_london_across_the_clock_change(lead):
    made = await make_series(lead, rrule="FREQ=MONTHLY;BYDAY=1TU", days_ahead=1)
    starts = [o.start for o in await bookings.upcoming(lead.principal, days=200) if o.series_id == made.id]
    assert len(starts) >= 5
    for start in starts:
        local = start.astimezone(LONDON)
        assert (local.weekday(), local.hour, local.minute) == (1, 13, 0) and local.day <= 7
        assert start.astimezone(timezone.utc).hour == (12 if local.utcoffset() else 13)
    assert made.first_start.astimezone(LONDON).day <= 7  # DTSTART itself matches the rule


async def test_every_weekday_series_and_horizon_job_are_idempotent(lead):
    made = await make_series(lead, rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", start=time(16, 30), end=time(17))
    count = await Occurrence.count().where(Occurrence.series == made.id)
    assert 120 <= count <= 132  # 180 days of weekdays
    await keep_horizon(datetime.now(timezone.utc))
    assert await Occurrence.count().where(Occurrence.series == made.id) == count


@pytest.mark.parametrize(
    ("rrule", "message"),
    [
        ("FREQ=HOURLY", "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("FREQ=MONTHLY;BYDAY=1TU,3TU", "one series per monthly day"),
        ("BYDAY=TU", "FREQ must be"),
        ("FREQ=WEEKLY;UNTIL=20270101", "UNTIL must be in UTC"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a valid RRULE"),
    ],
)
async def test_rules_calendar_apps_would_mishandle_are_refused(lead, rrule, message):
    with pytest.raises(InvalidInput, match=message):
        await make_series(lead, rrule=rrule)


async def test_end_before_start_and_strangers_as_facilitators_are_refused(lead):
    with pytest.raises(InvalidInput, match="end_time: must be after start_time"):
        await make_series(lead, start=time(14), end=time(13))
    stranger = await make_user(await make_org("elsewhere"), "psw")
    with pytest.raises(InvalidInput, match="facilitator_ids"):
        await make_series(lead, facilitators=[stranger.principal.account_id])


async def test_changing_details_from_a_date_updates_later_dates_only_and_fills_new_places(lead):
    org_psws = [await make_user(await make_org("x"), "psw")]  # noqa: F841 - other org, unaffected
    psw_a = await make_user(await _org_of(lead), "psw", email="a@north.example")
    psw_b = await make_user(await _org_of(lead), "psw", email="b@north.example")
    made = await make_series(lead, capacity=1)
    occurrences = [o for o in await bookings.upcoming(lead.principal, days=60) if o.series_id == made.id]
    second = occurrences[1]
    await bookings.book(psw_a.principal, second.id)
    waiting = await bookings.book(psw_b.principal, second.id)
    assert waiting.status == "waitlisted"
    cut = second.start.astimezone(LONDON).date()
    changed = await series.change_series(lead.principal, made.id, SeriesChange(from_date=cut, capacity=2, title="Co-reflection (new room)"))
    after = {o.id: o for o in await bookings.upcoming(lead.principal, days=60)}
    assert after[occurrences[0].id].capacity == 1 and after[second.id].capacity == 2
    assert (after[occurrences[0].id].title, after[second.id].title) == ("Co-reflection", "Co-reflection (new room)")
    assert (await bookings.get_occurrence(psw_b.principal, second.id)).my_booking.status == "confirmed"
    # The dates from the cut are a new series with the new details; the earlier ones keep theirs.
    assert changed.id != made.id and changed.title == "Co-reflection (new room)" and after[second.id].series_id == changed.id
    assert (await series.get_series(lead.principal, made.id)).title == "Co-reflection"


async def test_changing_the_time_from_a_date_splits_the_series(lead):
    psw = await make_user(await _org_of(lead), "psw", email="a@north.example")
    made = await make_series(lead)
    occurrences = [o for o in await bookings.upcoming(lead.principal, days=60) if o.series_id == made.id]
    await bookings.book(psw.principal, occurrences[2].id)
    cut = occurrences[2].start.astimezone(LONDON).date()
    new = await series.change_series(lead.principal, made.id, SeriesChange(from_date=cut, start_time=time(10), end_time=time(11)))
    assert new.id != made.id and new.first_start.astimezone(LONDON).time() == time(10)
    old = await series.get_series(lead.principal, made.id)
    assert "UNTIL=" in old.rrule
    statuses = {o.id: o.status for o in await bookings.upcoming(lead.principal, days=60)}
    assert statuses[occurrences[1].id] == "scheduled" and statuses[occurrences[2].id] == "cancelled"
    new_starts = [o.start.astimezone(LONDON).time() for o in await bookings.upcoming(lead.principal, days=60)
                  if o.series_id == new.id]
    assert new_starts and set(new_starts) == {time(10)}


async def test_a_psw_cannot_set_up_spaces(lead):
    psw = await make_user(await _org_of(lead), "psw", email="a@north.example")
    with pytest.raises(Exception, match="does not allow"):
        await series.create_series(psw.principal, SeriesIn(
            kind="debrief", title="x", rrule="FREQ=DAILY", start_date=date.today(), start_time=time(9),
            end_time=time(10), capacity=3))


async def _org_of(user):
    from peerwork.workforce.organisations import organisation_by_slug

    return await organisation_by_slug(user.principal.organisation_slug)


async def test_one_off_event(lead):
    made = await make_series(lead, rrule="FREQ=DAILY;COUNT=1", days_ahead=10)
    assert await Occurrence.count().where(Occurrence.series == made.id) == 1
    occurrence = await first_occurrence(lead, made.id)
    assert occurrence.start.astimezone(LONDON).date() == date.today() + timedelta(days=10)
