"""Builders for training tests: a catalogue course, an accredited trainer, a scheduled run."""

from __future__ import annotations

from datetime import date, time, timedelta

from peerwork.cpd.tables import Course, LineManager
from peerwork.training import runs
from peerwork.training.schemas import RunIn, TrainerIn


async def make_course(org, title: str = "Peer support foundations") -> Course:
    course = Course(organisation=org.id, title=title, hours=6, kind="core", renewal_months=24)
    await course.save()
    return course


async def make_trainer(lead, user):
    return await runs.add_trainer(lead.principal, TrainerIn(
        account_id=user.principal.account_id, accredited_on=date.today() - timedelta(days=30),
        accreditation="National programme, cohort 3"))


async def make_run(lead, course, *, capacity: int = 12, sessions: int = 2, days_ahead: int = 7,
                   cutoff_hours: int = 24, approval: bool = False, trainers=()):
    return await runs.schedule_run(lead.principal, RunIn(
        course_id=course.id, start_date=date.today() + timedelta(days=days_ahead), start_time=time(10),
        end_time=time(13), capacity=capacity, sessions=sessions, every="week", location="Room 2, Elm House",
        booking_cutoff_hours=cutoff_hours, requires_approval=approval, trainer_ids=[t.id for t in trainers]))


async def manage(org, manager, person) -> None:
    await LineManager(organisation=org.id, account=person.principal.account_id,
                      manager=manager.principal.account_id).save()
