"""The outbox delivery job: every minute, send whatever is due."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from peerwork.core.jobs import Job
from peerwork.core.mail.outbox import deliver_due
from peerwork.core.mail.transports import transport_from_url
from peerwork.core.settings import current_settings

logger = logging.getLogger("peerwork.mail")


async def deliver_outbox(due: datetime) -> None:
    # Deliver against the clock, not ``due``: a caught-up run is late, and so is the mail.
    settings = current_settings()
    transport = transport_from_url(settings.mail_url)
    report = await deliver_due(transport, max_attempts=settings.mail_max_attempts, sender=settings.mail_from)
    if report.sent or report.retrying or report.failed:
        logger.info("outbox: %d sent, %d to retry, %d failed", report.sent, report.retrying, report.failed)


# A cron trigger (not an interval) so every instance agrees on the due minute that the run is
# keyed by; a short catch-up window, since any run sends all that is due and a missed minute
# needs no run of its own.
JOBS = [Job("mail-outbox", CronTrigger(minute="*", timezone="UTC"), deliver_outbox,
            catch_up_window=timedelta(minutes=5), claim=False)]
