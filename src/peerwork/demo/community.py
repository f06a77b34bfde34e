"""Demo reflective spaces: the series (made by the community service) and bookings on the
coming dates, some full with a waiting list.

Bookings are inserted in one statement, as the booking service leaves them (confirmed up to
capacity, then waitlisted, in queue order), without the invite email the service sends for
each one: a demo should not mail a hundred made-up addresses.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from peerwork.community.schemas import SeriesIn
from peerwork.community.series import create_series
from peerwork.community.tables import Booking, EventSeries, Occurrence
from peerwork.core.access import system_principal
from peerwork.core.time import now
from peerwork.demo.people import DEMO_LOGINS, DemoOrganisation, Staff

DEMO_SERIES = [  # (organisation, kind, title, rrule, start, end, capacity, place, visibility, facilitator role)
    ("northfield-nhs", "co_reflection", "Monthly co-reflection", "FREQ=MONTHLY;BYDAY=1TU", time(13), time(14, 30), 12,
     "Training Room 2, Oak House", "organisation", "peer_lead"),
    ("northfield-nhs", "social_drop_in", "Social drop-in", "FREQ=MONTHLY;BYDAY=3TH", time(12), time(13, 30), 20,
     "The Hub café, Willow site", "organisation", "supervisor"),
    ("northfield-nhs", "debrief", "Daily debrief", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", time(16, 30), time(17), 8,
     "Online (Teams link in the invite)", "organisation", None),
    ("northfield-nhs", "development_day", "Peer development day", "FREQ=MONTHLY;INTERVAL=6;BYDAY=2WE",
     time(9, 30), time(16), 40, "Northfield Conference Centre", "organisation", "peer_lead"),
    ("open-door", "network_meeting", "Peer network meeting", "FREQ=MONTHLY;BYDAY=4WE", time(10), time(12), 30,
     "Open Door Community Hall", "network", "peer_lead"),
]
# Per series: (confirmed, waiting) on each of the next bookable dates. "Full" fills capacity.
FULL = -1
BOOKINGS = {
    "Monthly co-reflection": [(FULL, 3), (5, 0)],
    "Social drop-in": [(9, 0)],
    "Daily debrief": [(FULL, 2), (6, 0), (3, 0)],
    "Peer development day": [(24, 0)],
    "Peer network meeting": [(22, 0)],
}
# Demo logins the browser tests book with stay off the busy dates; the demo PSW has one place.
DEMO_PSW_BOOKS = "Peer development day"


async def load_series(orgs: dict[str, DemoOrganisation], today: date) -> None:
    for slug, kind, title, rule, start, end, capacity, place, visibility, facilitator in DEMO_SERIES:
        org = orgs[slug]
        if await EventSeries.exists().where((EventSeries.organisation == org.view.id) & (EventSeries.title == title)):
            continue
        hosts = org.with_accounts(facilitator)[:1] if facilitator else []
        await create_series(system_principal(org.view.id, org.view.slug, org.view.name), SeriesIn(
            kind=kind, title=title, rrule=rule, start_date=today, start_time=start, end_time=end,
            capacity=capacity, location=place, visibility=visibility,
            facilitator_ids=[h.account_id for h in hosts],
        ))


def _login_people(orgs: dict[str, DemoOrganisation]) -> set:
    return {s.account_id for slug, _, _, i in DEMO_LOGINS if i is not None
            for s in orgs[slug].staff if s.index == i}


async def load_bookings(orgs: dict[str, DemoOrganisation]) -> None:
    ids = [o.view.id for o in orgs.values()]
    if await Booking.exists().where(Booking.organisation.is_in(ids)):
        return
    logins = _login_people(orgs)
    bookings: list[Booking] = []
    for slug, _, title, *_ in DEMO_SERIES:
        org = orgs[slug]
        series = await EventSeries.select(EventSeries.id, EventSeries.visibility,
                                          EventSeries.booking_cutoff_minutes).where(
            (EventSeries.organisation == org.view.id) & (EventSeries.title == title)).first()
        if series is None:
            continue
        # Bookable dates only: after the cut-off, with a day's margin so a demo loaded late in
        # the day still shows open places.
        opens_after = now() + timedelta(minutes=series["booking_cutoff_minutes"]) + timedelta(days=1)
        coming = await Occurrence.select(Occurrence.id, Occurrence.capacity).where(
            (Occurrence.series == series["id"]) & (Occurrence.status == "scheduled")
            & (Occurrence.start > opens_after)).order_by(Occurrence.start).limit(len(BOOKINGS[title]))
        people = [s for s in org.with_accounts() if s.account_id not in logins]
        if series["visibility"] == "network":
            people += [s for o in orgs.values() if o is not org for s in o.with_accounts() if s.account_id not in logins]
        rng = random.Random(f"{slug}:{title}:bookings")
        for occurrence, (confirmed, waiting) in zip(coming, BOOKINGS[title]):
            confirmed = occurrence["capacity"] if confirmed == FULL else min(confirmed, occurrence["capacity"])
            chosen = rng.sample(people, min(len(people), confirmed + waiting))
            if title == DEMO_PSW_BOOKS and occurrence is coming[0]:
                chosen += [s for o in orgs.values() for s in o.staff
                           if s.account_id in logins and s.role == "psw"][:1]
                confirmed = min(confirmed + 1, occurrence["capacity"])
            bookings += [_booking(occurrence["id"], orgs, person, position, position <= confirmed)
                         for position, person in enumerate(chosen, start=1)]
    if bookings:
        await Booking.insert(*bookings)


def _booking(occurrence_id, orgs: dict[str, DemoOrganisation], person: Staff, position: int,
             confirmed: bool) -> Booking:
    home = next(o for o in orgs.values() if person in o.staff)
    return Booking(occurrence=occurrence_id, account=person.account_id, organisation=home.view.id,
                   status="confirmed" if confirmed else "waitlisted", queue_position=position)
