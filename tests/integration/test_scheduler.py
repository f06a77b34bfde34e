"""Scheduled jobs run once per due time, across instances, and catch up after downtime."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
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


# --- never two schedulers: a lost lock connection stops the scheduler first -------------------

class CountingScheduler(AsyncIOScheduler):
    """Counts schedulers running at once in this process (every runner under test is here)."""

    live: set = set()
    most_at_once = 0
    starts = 0

    def start(self, *args, **kwargs) -> None:
        super().start(*args, **kwargs)
        cls = CountingScheduler
        cls.live.add(self)
        cls.starts += 1
        cls.most_at_once = max(cls.most_at_once, len(cls.live))

    def shutdown(self, *args, **kwargs) -> None:
        super().shutdown(*args, **kwargs)
        CountingScheduler.live.discard(self)


@pytest.fixture
def counting(monkeypatch):
    import peerwork.core.jobs as scheduler

    monkeypatch.setattr(scheduler, "AsyncIOScheduler", CountingScheduler)
    monkeypatch.setattr(scheduler, "RETRY_SECONDS", 0.05)
    CountingScheduler.live, CountingScheduler.most_at_once, CountingScheduler.starts = set(), 0, 0
    yield CountingScheduler
    for running in list(CountingScheduler.live):
        running.shutdown(wait=False)


async def _eventually(condition, seconds: float = 3.0) -> bool:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


async def _kill_lock_holder(runner: JobRunner) -> str:
    """What a PostgreSQL restart does to the leader: its lock connection is terminated."""
    import asyncpg

    admin = await asyncpg.connect(DATABASE_URL)
    try:
        holders = await admin.fetch(
            "SELECT l.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()"
        )
        assert [h["pid"] for h in holders] == [runner._lock_connection.get_server_pid()]
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", holders[0]["pid"])
        return holders[0]["application_name"]
    finally:
        await admin.close()


@pytest.mark.skipif(not IS_POSTGRES, reason="leader election uses PostgreSQL advisory locks; SQLite has one instance")
async def test_a_leader_that_loses_its_lock_connection_stops_and_one_other_takes_over(counting):
    settings = load_settings().with_overrides(database_url=DATABASE_URL, scheduler_enabled=True)
    runners = [JobRunner(settings, jobs=[]) for _ in range(3)]
    try:
        for runner in runners:
            await runner.start()
        assert await _eventually(lambda: sum(r.is_leader for r in runners) == 1)
        leader = next(r for r in runners if r.is_leader)
        old = leader.scheduler
        application_name = await _kill_lock_holder(leader)
        assert await _eventually(lambda: not old.running, seconds=1.0)  # stopped promptly, before retrying
        assert await _eventually(lambda: sum(r.is_leader for r in runners) == 1
                                 and any(r.scheduler is not old for r in runners if r.is_leader))
        for _ in range(15):  # and it stays at one through several retries
            await asyncio.sleep(0.02)
            assert sum(r.is_leader for r in runners) == 1
    finally:
        for runner in runners:
            await runner.stop()
    assert counting.most_at_once == 1
    assert counting.starts == 2
    assert not counting.live
    assert application_name.startswith("peerwork-scheduler-lock")  # findable by operators too


@pytest.mark.skipif(not IS_POSTGRES, reason="leader election uses PostgreSQL advisory locks; SQLite has one instance")
async def test_a_leader_that_wins_its_lock_back_still_runs_one_scheduler(counting):
    settings = load_settings().with_overrides(database_url=DATABASE_URL, scheduler_enabled=True)
    runner = JobRunner(settings, jobs=[])
    try:
        await runner.start()
        assert await _eventually(lambda: runner.is_leader)
        for round_ in range(2):
            old = runner.scheduler
            await _kill_lock_holder(runner)
            assert await _eventually(lambda: not old.running, seconds=1.0)
            assert await _eventually(lambda: runner.is_leader and runner.scheduler is not old)
            assert counting.starts == round_ + 2
        await asyncio.sleep(0.3)
        assert counting.starts == 3  # no further scheduler started while it kept the lock
    finally:
        await runner.stop()
    assert counting.most_at_once == 1
    assert not counting.live


async def test_becoming_leader_again_never_starts_a_second_scheduler(counting):
    runner = JobRunner(load_settings().with_overrides(scheduler_enabled=True), jobs=[])
    try:
        await runner._become_leader()
        first = runner.scheduler
        await runner._become_leader()
        assert runner.scheduler is first and first.running
    finally:
        await runner.stop()
    assert counting.starts == 1 and counting.most_at_once == 1
