"""Debrief jobs: close yesterday's requests nobody took (hourly, so a server that was down
at midnight catches up within the hour)."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from peerwork.core.jobs import Job
from peerwork.debrief.expiry import expire_before


async def expire_requests(due: datetime) -> None:
    await expire_before(due)


JOBS = [Job("debrief-expire-requests", CronTrigger(minute=5, timezone="Europe/London"), expire_requests)]
