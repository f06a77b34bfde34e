"""Daily wellbeing work: remind owners of plans and passports due for review."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

from peerwork.core.jobs import Job
from peerwork.wellbeing.reminders import send_review_reminders

# 08:40 UK time: before the working day, well clear of the 01:00-02:00 clock changes.
JOBS = [Job("wellbeing-review-reminders", CronTrigger(hour=8, minute=40, timezone="Europe/London"),
            send_review_reminders)]
