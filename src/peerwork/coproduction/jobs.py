"""Hourly: record lived-experience interview panel members' sittings as involvement."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from peerwork.core.jobs import Job
from peerwork.coproduction.panels import record_panel_sittings


async def record_panels(due: datetime) -> None:
    await record_panel_sittings(due)


# Hourly at :35, but not in 01:00-02:00 London time (the clocks change then).
JOBS = [Job("coproduction-panels", CronTrigger(hour="0,2-23", minute=35, timezone="Europe/London"), record_panels)]
