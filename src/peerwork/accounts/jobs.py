"""Daily accounts work: end the access of people whose last assignment has ended."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from peerwork.accounts.leavers import end_access_of_leavers
from peerwork.core.jobs import Job
from peerwork.core.time import LONDON


async def end_leavers_access(due: datetime) -> int:
    return len(await end_access_of_leavers(due.astimezone(LONDON).date()))


# Just after midnight (away from the 01:00-02:00 clock change): the day after a last day.
JOBS = [Job("accounts-leavers", CronTrigger(hour=0, minute=20, timezone="Europe/London"), end_leavers_access)]
