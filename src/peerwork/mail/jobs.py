"""The outbox delivery job: every minute, send whatever is due."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from peerwork.mail.outbox import deliver_due
from peerwork.mail.transports import transport_from_url
from peerwork.scheduler import Job
from peerwork.settings import Settings

logger = logging.getLogger("peerwork.mail")


def mail_jobs(settings: Settings) -> list[Job]:
    transport = transport_from_url(settings.mail_url)

    async def deliver(due: datetime) -> None:
        # Deliver against the clock, not ``due``: a caught-up run is late, and so is the mail.
        report = await deliver_due(transport, max_attempts=settings.mail_max_attempts, sender=settings.mail_from)
        if report.sent or report.retrying or report.failed:
            logger.info("outbox: %d sent, %d to retry, %d failed", report.sent, report.retrying, report.failed)

    # A cron trigger (not an interval) so every instance agrees on the due minute that
    # scheduler.claim_run keys the run by; a short catch-up window, since any run sends all
    # that is due and a missed minute needs no run of its own.
    return [Job("mail-outbox", CronTrigger(minute="*", timezone="UTC"), deliver, catch_up_window=timedelta(minutes=5), claim=False)]
