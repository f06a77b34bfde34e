"""Trainers' own records and "N trainers delivered M sessions to P people" for a period."""

from datetime import date, timedelta

import pytest

from peerwork.community import series
from peerwork.core.errors import InvalidInput, PermissionDenied
from peerwork.training import attendance, trainers_report
from tests.factories import make_org, make_user
from tests.integration.training.attendance_builders import book_all, hold_in_past, make_course, make_run, make_trainer


@pytest.fixture
async def programme():
    """Two runs in a period worked out by hand.

    Run A (trainers Ada and Bo), sessions on day 0 and day 7: Pat and Sam attend both, Kim
    attends day 0 only. Run B (trainer Bo), sessions on day 14 and day 21: Pat attends day 14;
    nobody attends day 21 (held, but empty: not delivered). Cy is accredited but trains nothing.
    """
    org = await make_org("north")
    admin = await make_user(org, "admin")
    lead = await make_user(org, "peer_lead")
    ada, bo, cy = [await make_user(org, "psw", email=f"{n}@north.example") for n in ("ada", "bo", "cy")]
    pat, sam, kim = [await make_user(org, "psw", email=f"{n}@north.example") for n in ("pat", "sam", "kim")]
    course = await make_course(admin)
    ada_id, bo_id = await make_trainer(lead, ada), await make_trainer(lead, bo, "Trainer of trainers")
    await make_trainer(lead, cy)
    run_a = await make_run(lead, course.id, [(ada_id, ada), (bo_id, bo)])
    run_b = await make_run(lead, course.id, [(bo_id, bo)])
    day0 = date.today() - timedelta(days=40)
    booked_a = {u.email: await book_all(u, run_a) for u in (pat, sam, kim)}
    booked_b = {u.email: await book_all(u, run_b) for u in (pat, sam)}
    await hold_in_past(lead, run_a, day0)
    await hold_in_past(lead, run_b, day0 + timedelta(days=14))
    for email in ("pat@north.example", "sam@north.example"):
        for b in booked_a[email]:
            await attendance.mark(ada.principal, b, True)
    await attendance.mark(bo.principal, booked_a["kim@north.example"][0], True)
    await attendance.mark(bo.principal, booked_a["kim@north.example"][1], False)
    await attendance.mark(bo.principal, booked_b["pat@north.example"][0], True)
    await attendance.mark(bo.principal, booked_b["sam@north.example"][0], False)
    return {"lead": lead, "admin": admin, "psw": pat, "day0": day0, "run_b": run_b}


def _by_name(found):
    return {t.name: (t.sessions_delivered, t.people_trained) for t in found.by_trainer}


async def test_the_whole_period(programme):
    day0 = programme["day0"]
    found = await trainers_report.programme_figure(programme["lead"].principal, day0, day0 + timedelta(days=30))
    # Delivered: A day 0 (Pat, Sam, Kim), A day 7 (Pat, Sam), B day 14 (Pat). Day 21: nobody came.
    assert (found.trainers, found.sessions, found.people) == (2, 3, 3)
    assert found.sentence == "2 trainers delivered 3 sessions to 3 people"
    assert _by_name(found) == {"ada": (2, 3), "bo": (3, 3), "cy": (0, 0)}
    bo = next(t for t in found.by_trainer if t.name == "bo")
    assert bo.accreditation == "Trainer of trainers"


async def test_a_shorter_period_and_a_cancelled_session(programme):
    day0, lead = programme["day0"], programme["lead"]
    found = await trainers_report.programme_figure(lead.principal, day0 + timedelta(days=7), day0 + timedelta(days=14))
    assert (found.trainers, found.sessions, found.people) == (2, 2, 2)  # A day 7 (Pat, Sam), B day 14 (Pat)
    assert found.sentence == "2 trainers delivered 2 sessions to 2 people"
    one = await trainers_report.programme_figure(lead.principal, day0 + timedelta(days=14), day0 + timedelta(days=14))
    assert (one.trainers, one.sessions, one.people) == (1, 1, 1)
    assert one.sentence == "1 trainer delivered 1 session to 1 person"
    await series.cancel_occurrence(lead.principal, programme["run_b"].sessions[0], "Recorded in error")
    none = await trainers_report.programme_figure(lead.principal, day0 + timedelta(days=14), day0 + timedelta(days=14))
    assert (none.trainers, none.sessions, none.people, none.sentence) == (0, 0, 0, "0 trainers delivered 0 sessions to 0 people")


async def test_csv_and_rights(programme):
    day0, lead = programme["day0"], programme["lead"]
    body = await trainers_report.programme_csv(lead.principal, day0, day0 + timedelta(days=30))
    lines = body.splitlines()
    assert lines[0] == ",".join(trainers_report.CSV_COLUMNS)
    assert lines[-1].startswith("All trainers (2 delivered),,,,3,3,")
    with pytest.raises(PermissionDenied):
        await trainers_report.programme_figure(programme["psw"].principal, day0, day0)
    with pytest.raises(InvalidInput):
        await trainers_report.programme_figure(lead.principal, day0, day0 - timedelta(days=1))


def test_figure_is_pure_and_counts_people_once():
    from uuid import uuid4
    run, t1, t2, a, b = (uuid4() for _ in range(5))
    delivered = [trainers_report.Delivered(uuid4(), run, frozenset({a, b})),
                 trainers_report.Delivered(uuid4(), run, frozenset({a}))]
    assert trainers_report.figure(delivered, {run: {t1, t2}}) == (2, 2, 2)
    assert trainers_report.figure([], {run: {t1}}) == (0, 0, 0)
