"""Scheduled jobs run once per due time, across instances, and catch up after downtime."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.triggers.cron import CronTrigger

from peerwork.core.jobs import Job, JobRunner, catch_up, claim_run, latest_due, run_once
from peerwork.core.settings import load_settings
from tests.conftest import DATABASE_URL, IS_POSTGRES

DAILY_0630 = CronTrigger(hour=6, minute=30, timezone="Europe/London")


def test_latest_due_finds_the_last_fire_time_in_london_time():
    # 07:00 BST on 1 July is 06:00 UTC; the 06:30 London run that day was at 05:30 UTC.
    now = datetime(2026, 7, 1, 6, 0, tzinfo=timezone.utc)
    assert latest_due(DAILY_0630, now, timedelta(days=2)) == datetime(2026, 7, 1, 5, 30, tzinfo=timezone.utc)
    # In winter London is on UTC.
    now = datetime(2026, 12, 1, 6, 29, tzinfo=timezone.utc)
    assert latest_due(DAILY_0630, now, timedelta(days=2)) == datetime(2026, 11, 30, 6, 30, tzinfo=timezone.utc)
    assert latest_due(DAILY_0630, now, timedelta(hours=1)) is None


async def test_a_due_time_is_claimed_once_only():
    due = datetime(2026, 3, 1, 6, 30, tzinfo=timezone.utc)
    results = await asyncio.gather(*(claim_run("newsletter", due) for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    assert await claim_run("newsletter", due + timedelta(days=1)) is True
    assert await claim_run("reminders", due) is True


async def test_a_missed_run_is_caught_up_once_on_start():
    ran: list[datetime] = []

    async def work(due: datetime) -> None:
        ran.append(due)

    job = Job("overdue-check", DAILY_0630, work)
    now = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)
    assert await catch_up([job], now) == ["overdue-check"]
    assert await catch_up([job], now) == []  # a second instance starting finds it done
    assert ran == [datetime(2026, 7, 1, 5, 30, tzinfo=timezone.utc)]


async def test_a_failing_job_is_contained_and_still_counts_as_run():
    async def broken(due: datetime) -> None:
        raise RuntimeError("boom")

    due = datetime(2026, 7, 1, 5, 30, tzinfo=timezone.utc)
    assert await run_once(Job("broken", DAILY_0630, broken), due) is True
    assert await run_once(Job("broken", DAILY_0630, broken), due) is False


@pytest.mark.skipif(not IS_POSTGRES, reason="leader election uses PostgreSQL advisory locks; SQLite has one instance")
async def test_only_one_of_several_instances_runs_the_scheduler(monkeypatch):
    import peerwork.core.jobs as scheduler

    monkeypatch.setattr(scheduler, "RETRY_SECONDS", 0.05)
    settings = load_settings().with_overrides(database_url=DATABASE_URL, scheduler_enabled=True)
    runners = [JobRunner(settings, jobs=[]) for _ in range(3)]
    for runner in runners:
        await runner.start()
    await asyncio.sleep(0.5)
    assert sum(r.is_leader for r in runners) == 1
    leader = next(r for r in runners if r.is_leader)
    await leader.stop()  # the leader goes away: another takes over within a few retries
    await asyncio.sleep(0.5)
    others = [r for r in runners if r is not leader]
    assert sum(r.is_leader for r in others) == 1
    for runner in others:
        await runner.stop()
