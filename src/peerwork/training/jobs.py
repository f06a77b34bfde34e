"""Hourly training work: send a course's questionnaire before its first session and after its
last, by itself.

For each scheduled run whose catalogue course has a questionnaire attached (evaluation):

- **before**: from 3 days before the first session until it starts, to everyone with a
  confirmed place; due by the first session's (London) date;
- **after**: from the end of the last session for 14 days, to everyone who attended every
  session (a ``RunCompletion``); due by the last session's date plus 14 days.

``CourseRun.before_sent_at`` / ``after_sent_at`` hold when each was last sent. The first
sending goes to everyone who qualifies; a later hourly run sends only to people who qualified
since (a booking on the first session changed, or a course completed, after that time): the
job running again sends nothing twice, and a late booking or a late attendance mark still gets
its link. A booking also changes when its session moves or the person changes how they get
invites; those people are sent a fresh link replacing their unused one (evaluation never asks
anyone who has answered again). The stamp moves
in the same transaction as the invitations and their emails, and only from the value read, so
two instances never send the same batch.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from apscheduler.triggers.cron import CronTrigger

from peerwork.community.tables import Booking, Occurrence
from peerwork.core.access import system_principal
from peerwork.core.db import transaction
from peerwork.core.errors import DomainError
from peerwork.core.jobs import Job
from peerwork.core.tables import Account
from peerwork.core.time import LONDON, now
from peerwork.evaluation.answering import send_questionnaire
from peerwork.evaluation.questionnaires import course_questionnaire
from peerwork.training.completion_tables import RunCompletion
from peerwork.training.tables import CourseRun

logger = logging.getLogger("peerwork.training.jobs")

BEFORE_WINDOW = timedelta(days=3)
AFTER_DUE = timedelta(days=14)


def moment_due(moment: str, first_start: datetime, last_end: datetime, at: datetime) -> date | None:
    """The due date to send ``moment`` with at ``at``, or None when it is not (or no longer)
    time to send it."""
    if moment == "before":
        if first_start - BEFORE_WINDOW <= at < first_start:
            return first_start.astimezone(LONDON).date()
        return None
    due_by = last_end.astimezone(LONDON).date() + AFTER_DUE
    if at >= last_end and at.astimezone(LONDON).date() <= due_by:
        return due_by
    return None


async def _confirmed_since(first_session: UUID, since: datetime | None) -> list[UUID]:
    """People with a confirmed place (every session has the same places, so the first tells),
    confirmed after ``since`` if given."""
    where = (Booking.occurrence == first_session) & (Booking.status == "confirmed")
    if since is not None:
        where &= Booking.updated_at > since
    return await Booking.select(Booking.account).where(where).output(as_list=True)


async def _completed_since(run_id: UUID, since: datetime | None) -> list[UUID]:
    where = RunCompletion.run == run_id
    if since is not None:
        where &= RunCompletion.completed_at > since
    return await RunCompletion.select(RunCompletion.account).where(where).output(as_list=True)


async def _active(account_ids: list[UUID]) -> list[UUID]:
    """Only active accounts can be sent a link: someone who has left is skipped, not a failure."""
    if not account_ids:
        return []
    return await Account.select(Account.id).where(
        Account.id.is_in(account_ids) & Account.is_active.eq(True)).output(as_list=True)


async def _send(run: dict[str, Any], moment: str, due_by: date) -> int:
    stamp = CourseRun.before_sent_at if moment == "before" else CourseRun.after_sent_at
    since = run[f"{moment}_sent_at"]
    if moment == "before":
        people = await _confirmed_since(run["first_session"], since)
    else:
        people = await _completed_since(run["id"], since)
    people = await _active(list(dict.fromkeys(people)))
    principal = system_principal(run["organisation"], run["organisation.slug"], run["organisation.name"])
    async with transaction():
        unchanged = stamp.is_null() if since is None else stamp == since
        moved = await CourseRun.update({stamp: now()}).where((CourseRun.id == run["id"]) & unchanged).returning(
            CourseRun.id)
        if not moved:  # another instance sent this batch
            return 0
        if people:
            await send_questionnaire(run["course"], moment, people, due_by, principal=principal)  # type: ignore[arg-type]
    return len(people)


def _sessions_where(*condition: Any) -> Any:
    scheduled = Occurrence.status == "scheduled"
    for c in condition:
        scheduled &= c
    return CourseRun.series.is_in(Occurrence.select(Occurrence.series).where(scheduled))


async def _runs_with_questionnaire(due: datetime) -> list[dict[str, Any]]:
    """Scheduled runs that may have something to send at ``due``: a session starting within
    the "before" window or earlier, and one ending within the "after" window or later (a day
    spare for the London date), so old runs are not read every hour."""
    runs = await CourseRun.select(
        CourseRun.id, CourseRun.organisation, CourseRun.organisation.slug, CourseRun.organisation.name,
        CourseRun.course, CourseRun.series, CourseRun.before_sent_at, CourseRun.after_sent_at,
    ).where((CourseRun.status == "scheduled") & _sessions_where(Occurrence.start <= due + BEFORE_WINDOW)
            & _sessions_where(Occurrence.end >= due - AFTER_DUE - timedelta(days=1)))
    return [run for run in runs if await course_questionnaire(run["organisation"], run["course"]) is not None]


async def send_course_questionnaires(due: datetime) -> int:
    """Send what is due at ``due`` for every run; the number of people sent a link."""
    sent = 0
    for run in await _runs_with_questionnaire(due):
        sessions = await Occurrence.select(Occurrence.id, Occurrence.start, Occurrence.end).where(
            (Occurrence.series == run["series"]) & (Occurrence.status == "scheduled")).order_by(Occurrence.start)
        if not sessions:
            continue
        run["first_session"] = sessions[0]["id"]
        for moment in ("before", "after"):
            due_by = moment_due(moment, sessions[0]["start"], max(s["end"] for s in sessions), due)
            if due_by is None:
                continue
            try:
                sent += await _send(run, moment, due_by)
            except DomainError:  # one run's problem must not stop the others; nothing was sent for it
                logger.exception("questionnaire %s for course run %s not sent", moment, run["id"])
    return sent


JOBS = [Job("training-course-questionnaires", CronTrigger(minute=20, timezone="Europe/London"),
            send_course_questionnaires)]
