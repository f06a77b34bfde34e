"""Daily CPD work: remind people before their mandatory training expires."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from peerwork.core.time import LONDON
from peerwork.core.jobs import Job
from peerwork.cpd.report import remind_expiring
from peerwork.core.tables import Organisation


async def remind_before_expiry(due: datetime) -> int:
    today = due.astimezone(LONDON).date()
    sent = 0
    for organisation_id in await Organisation.select(Organisation.id).output(as_list=True):
        sent += await remind_expiring(organisation_id, today)
    return sent


JOBS = [Job("cpd-expiry-reminders", CronTrigger(hour=8, minute=0, timezone="Europe/London"), remind_before_expiry)]
