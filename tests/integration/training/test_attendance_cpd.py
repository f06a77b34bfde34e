"""Trainers mark attendance; attending every session of a run records its course on the
person's CPD, verified, exactly once, with the course's renewal date."""

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest

from peerwork.cpd import records as cpd, report as cpd_report
from peerwork.cpd.compliance import add_months
from peerwork.cpd.schemas import RecordIn
from peerwork.cpd.tables import CpdRecord
from peerwork.core.errors import NotFound, PermissionDenied
from peerwork.supports import service as supports
from peerwork.training import attendance
from peerwork.training.completion_tables import RunCompletion
from tests.conftest import IS_POSTGRES
from tests.factories import make_org, make_user
from tests.integration.training.attendance_builders import book_all, hold_in_past, make_course, make_run, make_trainer


@pytest.fixture
async def north():
    org = await make_org("north")
    admin = await make_user(org, "admin")
    lead = await make_user(org, "peer_lead")
    trainer_user = await make_user(org, "psw", email="trainer@north.example")
    other_trainer_user = await make_user(org, "psw", email="other-trainer@north.example")
    psws = [await make_user(org, "psw", email=f"psw{i}@north.example") for i in range(3)]
    course = await make_course(admin, renewal_months=24)
    trainer = await make_trainer(lead, trainer_user)
    other_trainer = await make_trainer(lead, other_trainer_user)
    run = await make_run(lead, course.id, [(trainer, trainer_user)])
    return {"org": org, "admin": admin, "lead": lead, "trainer": trainer_user, "other_trainer": other_trainer_user,
            "other_trainer_id": other_trainer, "psws": psws, "course": course, "run": run}


async def _records(user):
    return await CpdRecord.select().where(CpdRecord.account == user.principal.account_id)


async def test_attending_every_session_records_the_course_once_verified_with_its_expiry(north):
    trainer, lead, run = north["trainer"], north["lead"], north["run"]
    psw = north["psws"][0]
    booked = await book_all(psw, run)
    first_day = date.today() - timedelta(days=20)
    await hold_in_past(lead, run, first_day)

    first = await attendance.mark(trainer.principal, booked[0], True)
    assert (first.completed, first.cpd_record_id) == (False, None)
    assert await _records(psw) == []  # partial attendance: no record

    last = await attendance.mark(trainer.principal, booked[1], True)
    assert last.completed and last.cpd_record_id is not None
    [record] = await _records(psw)
    last_day = first_day + timedelta(days=7)
    assert record["id"] == last.cpd_record_id and record["course"] == north["course"].id
    assert (record["status"], record["done_on"], record["hours"]) == ("done", last_day, Decimal("6"))
    assert record["verified_by"] == trainer.principal.account_id and record["verified_at"] is not None

    # Marking again (either session) changes nothing.
    for booking_id in booked:
        again = await attendance.mark(trainer.principal, booking_id, True)
        assert again.cpd_record_id == record["id"]
    assert len(await _records(psw)) == 1 and await RunCompletion.count() == 1

    # The renewal date follows from the course's renewal_months, as for any record.
    mine = await cpd_report.my_compliance(psw.principal)
    [status] = mine.courses
    assert (status.status, status.done_on, status.expires_on) == ("done", last_day, add_months(last_day, 24))
    shown = await cpd.my_records(psw.principal)
    assert shown[0].verified and shown[0].verified_by == trainer.principal.display_name


async def test_compliance_and_role_training_follow_attendance(north):
    trainer, lead, run, admin = north["trainer"], north["lead"], north["run"], north["admin"]
    done_psw, absent_psw = north["psws"][:2]
    booked = {u.principal.account_id: await book_all(u, run) for u in (done_psw, absent_psw)}
    await hold_in_past(lead, run, date.today() - timedelta(days=20))

    def status_of(rows, user):
        return next(p for p in rows if p.account_id == user.principal.account_id).courses[0].status

    before = await cpd_report.organisation_compliance(admin.principal)
    assert status_of(before, done_psw) == "due" and status_of(before, absent_psw) == "due"
    def missing_role_training(rows, user):
        return "role_training" in next(p for p in rows if p.account_id == user.principal.account_id).missing

    flags_before = await supports.who_is_missing(admin.principal)
    assert missing_role_training(flags_before, done_psw) and missing_role_training(flags_before, absent_psw)

    for booking_id in booked[done_psw.principal.account_id]:
        await attendance.mark(trainer.principal, booking_id, True)
    await attendance.mark(trainer.principal, booked[absent_psw.principal.account_id][0], True)
    await attendance.mark(trainer.principal, booked[absent_psw.principal.account_id][1], False)

    after = await cpd_report.organisation_compliance(admin.principal)
    assert status_of(after, done_psw) == "done" and status_of(after, absent_psw) == "due"
    flags_after = await supports.who_is_missing(admin.principal)
    assert not missing_role_training(flags_after, done_psw) and missing_role_training(flags_after, absent_psw)


async def test_withdrawing_an_attendance_takes_back_an_unused_record_but_keeps_a_used_one(north):
    trainer, lead, run = north["trainer"], north["lead"], north["run"]
    psw = north["psws"][0]
    booked = await book_all(psw, run)
    await hold_in_past(lead, run, date.today() - timedelta(days=20))
    for booking_id in booked:
        await attendance.mark(trainer.principal, booking_id, True)
    assert len(await _records(psw)) == 1

    withdrawn = await attendance.mark(trainer.principal, booked[0], False)  # marked in error
    assert (withdrawn.completed, withdrawn.cpd_record_id) == (False, None)
    assert await _records(psw) == [] and await RunCompletion.count() == 0

    again = await attendance.mark(trainer.principal, booked[0], True)
    [record] = await _records(psw)
    assert again.cpd_record_id == record["id"]
    # The owner writes a reflection on it: it is theirs now, and stays (once) whatever is marked.
    await CpdRecord.update({CpdRecord.reflection: "What I took from it"}).where(CpdRecord.id == record["id"])
    kept = await attendance.mark(trainer.principal, booked[1], False)
    assert (kept.completed, kept.cpd_record_id) == (False, record["id"])
    await attendance.mark(trainer.principal, booked[1], True)
    assert [r["id"] for r in await _records(psw)] == [record["id"]]


async def test_two_trainers_marking_the_last_sessions_at_once_make_one_record(north):
    lead, run, psw = north["lead"], north["run"], north["psws"][0]
    booked = await book_all(psw, run)
    await hold_in_past(lead, run, date.today() - timedelta(days=20))
    results = await asyncio.gather(*(attendance.mark(lead.principal, b, True) for b in booked),
                                   return_exceptions=not IS_POSTGRES)
    if not IS_POSTGRES:  # one writer at a time: SQLite may refuse the second as busy, never double
        assert all(not isinstance(r, Exception) or "locked" in str(r) for r in results)
        for b in booked:
            await attendance.mark(lead.principal, b, True)
    assert len(await _records(psw)) == 1 and await RunCompletion.count() == 1


async def test_only_the_runs_trainers_and_training_leads_mark_it(north):
    run, psw, lead = north["run"], north["psws"][0], north["lead"]
    booked = await book_all(psw, run)
    await hold_in_past(lead, run, date.today() - timedelta(days=20))
    for outsider in (north["other_trainer"], north["psws"][1]):  # a trainer of another run; a PSW
        with pytest.raises(PermissionDenied):
            await attendance.mark(outsider.principal, booked[0], True)
        with pytest.raises(PermissionDenied):
            await attendance.session_attendees(outsider.principal, run.sessions[0])
    south = await make_org("south")
    south_lead = await make_user(south, "peer_lead", email="lead@south.example")
    with pytest.raises(NotFound):
        await attendance.mark(south_lead.principal, booked[0], True)
    with pytest.raises(NotFound):
        await attendance.session_attendees(south_lead.principal, run.sessions[0])
    assert await _records(psw) == []
    marked = await attendance.mark(lead.principal, booked[0], True)  # a training lead who trains nothing
    assert marked.attendee.attended is True
    listed = await attendance.session_attendees(north["trainer"].principal, run.sessions[0])
    assert [a.attended for a in listed] == [True]


async def test_my_sessions_lists_the_runs_i_train_only(north):
    run = north["run"]
    mine = await attendance.my_sessions(north["trainer"].principal)
    assert [(s.occurrence_id, s.number, s.of) for s in mine] == [(run.sessions[0], 1, 2), (run.sessions[1], 2, 2)]
    assert await attendance.my_sessions(north["other_trainer"].principal) == []


async def test_a_record_typed_by_hand_is_not_touched(north):
    """The person's own record of the same course is theirs: completion adds its own, and
    withdrawing attendance removes only that one."""
    trainer, lead, run, psw = north["trainer"], north["lead"], north["run"], north["psws"][0]
    own = await cpd.record_cpd(psw.principal, RecordIn(activity="Foundations (self-study)", done_on=date.today(),
                                                        hours=Decimal("1"), course_id=north["course"].id))
    booked = await book_all(psw, run)
    await hold_in_past(lead, run, date.today() - timedelta(days=20))
    for b in booked:
        await attendance.mark(trainer.principal, b, True)
    await attendance.mark(trainer.principal, booked[1], False)
    assert [r["id"] for r in await _records(psw)] == [own.id]


async def test_the_spaces_page_sends_a_course_session_to_the_register_so_completion_is_not_missed(north, client):
    lead, run, psw = north["lead"], north["run"], north["psws"][0]
    booked = await book_all(psw, run)
    await hold_in_past(lead, run, date.today() - timedelta(days=20))
    refused = await client.patch(f"/api/v1/bookings/{booked[0]}/attendance", headers=lead.headers,
                               json={"attended": True})
    assert refused.status_code == 409, refused.text
    assert "register" in refused.json()["detail"]
    assert not (await attendance.mark(lead.principal, booked[0], True)).completed  # the register still marks
