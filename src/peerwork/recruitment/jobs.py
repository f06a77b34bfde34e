"""Nightly: close vacancies past their closing date; anonymise unsuccessful and withdrawn
applications past the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from peerwork.core.time import LONDON
from peerwork.core.db import transaction
from peerwork.recruitment.tables import Application, EqualityResponse, Score, Vacancy
from peerwork.core.jobs import Job
from peerwork.core.settings import current_settings
from peerwork.core import audit

ENDED = ["unsuccessful", "withdrawn"]


async def anonymise_old_applications(due: datetime, retention_days: int | None = None) -> int:
    """Blank the personal fields of applications that ended more than ``retention_days`` ago
    (default: PEERWORK_APPLICATION_RETENTION_DAYS), unlink their equality answers and clear
    score comments. Stage timestamps, statuses and score numbers stay, so the funnel survives.
    Hired applications are kept: they became an employment record. Returns how many."""
    days = retention_days if retention_days is not None else current_settings().application_retention_days
    cutoff = due - timedelta(days=days)
    rows = await Application.select(Application.id, Application.organisation).where(
        Application.status.is_in(ENDED) & Application.anonymised_at.is_null() & (Application.closed_at < cutoff))
    ids = [r["id"] for r in rows]
    if not ids:
        return 0
    async with transaction():
        await Application.update({
            Application.name: "", Application.email: "", Application.phone: "", Application.answers: {},
            Application.statement: None, Application.adjustments: "", Application.token_hash: None,
            Application.token_expires_at: None, Application.anonymised_at: due,
        }).where(Application.id.is_in(ids))
        reached = await Application.select(Application.id).where(
            Application.id.is_in(ids) & Application.shortlisted_at.is_not_null()).output(as_list=True)
        if reached:
            await EqualityResponse.update({EqualityResponse.shortlisted: True}).where(
                EqualityResponse.application.is_in(reached))
        await EqualityResponse.update({EqualityResponse.application: None}).where(
            EqualityResponse.application.is_in(ids))
        await Score.update({Score.comment: ""}).where(Score.application.is_in(ids))
        for r in rows:
            await audit.record(None, "anonymise", "application", r["id"], organisation_id=r["organisation"],
                               via="system")
    return len(ids)


async def close_past_closing_date(due: datetime) -> int:
    """Open vacancies whose closing date (UK) has passed stop taking applications."""
    today = due.astimezone(LONDON).date()
    rows = await Vacancy.select(Vacancy.id, Vacancy.organisation).where(
        (Vacancy.status == "open") & (Vacancy.closing_date < today))
    if rows:
        async with transaction():
            await Vacancy.update({Vacancy.status: "closed"}).where(Vacancy.id.is_in([r["id"] for r in rows]))
            for r in rows:
                await audit.record(None, "update", "vacancy", r["id"], organisation_id=r["organisation"],
                                   fields=["status"], via="system")
    return len(rows)


# Both stay out of 01:00-02:00 London time (the clocks change then).
JOBS = [
    Job("recruitment-close", CronTrigger(hour=0, minute=5, timezone="Europe/London"), close_past_closing_date),
    Job("recruitment-anonymise", CronTrigger(hour=2, minute=40, timezone="Europe/London"),
        anonymise_old_applications),
]
