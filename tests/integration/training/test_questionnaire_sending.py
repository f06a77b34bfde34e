"""A course's questionnaire goes out by itself: "before" to confirmed places from 3 days before
the first session, "after" to the people who attended every session once the last has ended,
each once per person, through the outbox with a link that answers."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from peerwork import capabilities
from peerwork.community.tables import Booking, Occurrence
from peerwork.core.tables import OutboxMessage
from peerwork.core.time import LONDON, now
from peerwork.evaluation import answering
from peerwork.evaluation.tables import AnswerInvitation, Response
from peerwork.training import attendance, jobs, places, runs
from peerwork.training.tables import CourseRun
from tests.factories import make_org, make_user
from tests.integration.evaluation.test_evaluation import API, LIKERT, TEXT
from tests.integration.training.attendance_builders import book_all, hold_in_past, make_course, make_run, make_trainer
from tests.integration.workforce.test_auth import csrf_from


@pytest.fixture
async def north(client):
    org = await make_org("north")
    admin = await make_user(org, "admin")
    lead = await make_user(org, "peer_lead")
    trainer_user = await make_user(org, "psw", email="trainer@north.example")
    psws = [await make_user(org, "psw", email=f"psw{i}@north.example") for i in range(4)]
    course = await make_course(admin)
    trainer = await make_trainer(lead, trainer_user)
    made = await client.post(f"{API}/questionnaires", headers=lead.headers,
                             json={"title": "Foundations", "items": [LIKERT, TEXT]})
    assert made.status_code == 201, made.text
    attached = await client.put(f"{API}/courses/{course.id}/questionnaire", headers=lead.headers,
                                json={"questionnaire_id": made.json()["id"]})
    assert attached.status_code == 200, attached.text
    return {"org": org, "admin": admin, "lead": lead, "trainer": trainer_user, "trainer_id": trainer,
            "psws": psws, "course": course, "questionnaire": made.json()}


async def _first_start(run):
    return await Occurrence.select(Occurrence.start).where(Occurrence.series == run.series_id).order_by(
        Occurrence.start).first()


async def _invited(moment: str) -> list[str]:
    """Who was emailed a link for ``moment``, in order."""
    return await OutboxMessage.select(OutboxMessage.to_address).where(
        OutboxMessage.subject.like(f"A few questions {moment}%")).order_by(
        OutboxMessage.created_at).output(as_list=True)


async def _link(email: str, moment: str) -> str:
    body = await OutboxMessage.select(OutboxMessage.body_text).where(
        (OutboxMessage.to_address == email) & OutboxMessage.subject.like(f"A few questions {moment}%")).first()
    return "/evaluation/answer/" + re.search(r"/evaluation/answer/(\S+)", body["body_text"]).group(1)


def test_the_job_is_registered_and_claims_each_due_time():
    [job] = [j for j in capabilities.jobs() if j.id == "training-course-questionnaires"]
    assert job.claim and job.run is jobs.send_course_questionnaires


async def test_before_goes_at_the_three_day_point_to_confirmed_places_only_and_once(client, north):
    lead, (kept, gave_up, second, waiting) = north["lead"], north["psws"]
    run = await make_run(lead, north["course"].id, [(north["trainer_id"], north["trainer"])], capacity=2)
    await book_all(kept, run)
    await book_all(gave_up, run)
    await places.cancel_mine(gave_up.principal, run.id)  # a cancelled place
    await book_all(second, run)
    await book_all(waiting, run)  # the course is full: the waiting list
    first = (await _first_start(run))["start"]

    assert await jobs.send_course_questionnaires(first - timedelta(days=3, minutes=1)) == 0  # not yet
    assert await _invited("before") == []

    assert await jobs.send_course_questionnaires(first - timedelta(days=3) + timedelta(minutes=5)) == 2
    assert sorted(await _invited("before")) == sorted([kept.email, second.email])
    invitation = await AnswerInvitation.select().where(AnswerInvitation.moment == "before").first()
    assert invitation["expires_at"] == answering.end_of(first.astimezone(LONDON).date())  # due by that day
    assert (await CourseRun.select(CourseRun.before_sent_at).where(CourseRun.id == run.id).first())[
        "before_sent_at"] is not None

    # The job running again (the next hour, or the same due time) sends nothing more.
    assert await jobs.send_course_questionnaires(first - timedelta(days=2)) == 0
    assert await jobs.send_course_questionnaires(first - timedelta(days=3) + timedelta(minutes=5)) == 0
    assert len(await _invited("before")) == 2 and await AnswerInvitation.count() == 2

    # A place confirmed later (the waiting list moves up) is sent its own at the next run.
    await places.cancel_mine(kept.principal, run.id)
    assert await Booking.exists().where((Booking.account == waiting.principal.account_id)
                                        & (Booking.status == "confirmed"))
    assert await jobs.send_course_questionnaires(first - timedelta(days=1)) == 1
    assert (await _invited("before"))[-1] == waiting.email and len(await _invited("before")) == 3

    # Once the first session has started, nothing more goes out before it.
    assert await jobs.send_course_questionnaires(first + timedelta(minutes=1)) == 0


async def test_after_goes_to_those_who_attended_every_session_and_the_link_answers(client, north):
    lead, trainer, (done, missed, _, _) = north["lead"], north["trainer"], north["psws"]
    run = await make_run(lead, north["course"].id, [(north["trainer_id"], north["trainer"])])
    done_bookings, missed_bookings = await book_all(done, run), await book_all(missed, run)
    await hold_in_past(lead, run, date.today() - timedelta(days=10))
    for booking_id in done_bookings:
        await attendance.mark(trainer.principal, booking_id, True)
    await attendance.mark(trainer.principal, missed_bookings[0], True)
    await attendance.mark(trainer.principal, missed_bookings[1], False)

    assert await jobs.send_course_questionnaires(now()) == 1
    assert await _invited("after") == [done.email]
    assert await _invited("before") == []  # the first session had started: too late for "before"
    assert await jobs.send_course_questionnaires(now()) == 0  # once
    assert await _invited("after") == [done.email]

    # The emailed link opens the questionnaire and takes the answers, once.
    path = await _link(done.email, "after")
    page = await client.get(path)
    assert page.status_code == 200
    key = north["questionnaire"]["current"]["items"][0]["key"]
    posted = await client.post(path, data={key: "4", "_csrf_token": csrf_from(page.text)})
    assert posted.status_code == 200 and "Thank you" in posted.text
    assert await Response.count().where(Response.moment == "after") == 1

    # Someone whose attendance is marked later still gets theirs while the after window is open.
    await attendance.mark(trainer.principal, missed_bookings[1], True)
    assert await jobs.send_course_questionnaires(now()) == 1
    assert await _invited("after") == [done.email, missed.email]


async def test_nothing_goes_for_a_course_without_a_questionnaire_or_a_cancelled_run(client, north):
    lead, admin, (person, other, _, _) = north["lead"], north["admin"], north["psws"]
    bare = await make_course(admin, title="Safeguarding refresher")
    without = await make_run(lead, bare.id, [(north["trainer_id"], north["trainer"])])
    cancelled = await make_run(lead, north["course"].id, [(north["trainer_id"], north["trainer"])])
    for run in (without, cancelled):
        await book_all(person, run)
        await book_all(other, run)
    await runs.cancel_run(lead.principal, cancelled.id)
    first = (await _first_start(without))["start"]
    assert await jobs.send_course_questionnaires(first - timedelta(days=1)) == 0
    assert await _invited("before") == [] and await AnswerInvitation.count() == 0
    stamps = await CourseRun.select(CourseRun.before_sent_at, CourseRun.after_sent_at)
    assert all(s["before_sent_at"] is None and s["after_sent_at"] is None for s in stamps)


async def test_after_is_not_sent_once_its_fourteen_days_have_passed(client, north):
    lead, trainer, person = north["lead"], north["trainer"], north["psws"][0]
    run = await make_run(lead, north["course"].id, [(north["trainer_id"], north["trainer"])])
    booked = await book_all(person, run)
    await hold_in_past(lead, run, date.today() - timedelta(days=30))  # last session 23 days ago
    for booking_id in booked:
        await attendance.mark(trainer.principal, booking_id, True)
    assert await jobs.send_course_questionnaires(now()) == 0
    assert await _invited("after") == []
    # ...while on the last session's day plus 14 it would still have gone.
    last_end = (await Occurrence.select(Occurrence.end).where(Occurrence.series == run.series_id).order_by(
        Occurrence.end, ascending=False).first())["end"]
    assert jobs.moment_due("after", last_end, last_end, last_end + timedelta(days=13)) is not None


def test_moment_due_windows():
    from datetime import datetime, timezone
    first = datetime(2027, 3, 10, 10, tzinfo=timezone.utc)
    last_end = datetime(2027, 3, 17, 13, tzinfo=timezone.utc)
    assert jobs.moment_due("before", first, last_end, first - timedelta(days=3, seconds=1)) is None
    assert jobs.moment_due("before", first, last_end, first - timedelta(days=3)) == date(2027, 3, 10)
    assert jobs.moment_due("before", first, last_end, first) is None
    assert jobs.moment_due("after", first, last_end, last_end - timedelta(seconds=1)) is None
    assert jobs.moment_due("after", first, last_end, last_end) == date(2027, 3, 31)
    assert jobs.moment_due("after", first, last_end, datetime(2027, 3, 31, 22, tzinfo=timezone.utc)) == date(2027, 3, 31)
    assert jobs.moment_due("after", first, last_end, datetime(2027, 4, 1, 0, 30, tzinfo=timezone.utc)) is None
