"""Scheduled jobs: run once per due time, however many app instances are up.

APScheduler 3.x cannot share a job store between processes, so on PostgreSQL only the holder
of a session-level advisory lock runs the scheduler (others retry and take over within seconds
when it dies). As a backstop each run first claims a ``scheduled_run`` row for its job and
due time; a second claimant gets nothing. On start, each job's latest missed due time is
caught up. Jobs live in each capability's ``jobs.py`` (``JOBS``) and are thin wrappers over
services; the app hands the runner every capability's jobs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Awaitable, Callable

from peerwork.core.settings import Settings
from peerwork.core.tables import ScheduledRun
from peerwork.core.time import now as current_time

if TYPE_CHECKING:  # APScheduler loads when a scheduler starts, not when a server does
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.base import BaseTrigger

logger = logging.getLogger("peerwork.core.jobs")

LEADER_LOCK_KEY = 0x7065657277  # "peerw": one key for the whole service
RETRY_SECONDS = 10
LOCK_TIMEOUT_SECONDS = 5  # connecting, taking the lock, and each "still there?" check
INSTANCE = f"{socket.gethostname()}:{os.getpid()}"
LOCK_APPLICATION_NAME = f"peerwork-scheduler-lock {INSTANCE}"[:63]


@dataclass(frozen=True)
class Job:
    id: str
    trigger: BaseTrigger
    run: Callable[[datetime], Awaitable[None]]  # called with the due time it is running for
    catch_up_window: timedelta = timedelta(days=2)
    # Jobs that are safe to run twice at once (e.g. outbox delivery, which claims rows itself)
    # and run often skip the once-per-due-time claim, so scheduled_run does not grow each minute.
    claim: bool = True


def due_key(due: datetime) -> str:
    return due.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M")


async def claim_run(job_id: str, due: datetime) -> bool:
    """True for exactly one caller per (job, due time), across processes and instances."""
    rows = await ScheduledRun.raw(
        "INSERT INTO scheduled_run (id, job_id, due_key, claimed_at, claimed_by) "
        "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (job_id, due_key) DO NOTHING RETURNING id",
        uuid.uuid4(), job_id, due_key(due), current_time(), INSTANCE,
    )
    return bool(rows)


async def run_once(job: Job, due: datetime) -> bool:
    if job.claim and not await claim_run(job.id, due):
        return False
    try:
        await job.run(due)
    except Exception:  # noqa: BLE001 - one failing job must not stop the others
        logger.exception("job %s for %s failed", job.id, due_key(due))
    return True


def latest_due(trigger: BaseTrigger, now: datetime, window: timedelta) -> datetime | None:
    """The last time ``trigger`` fired at or before ``now``, looking back at most ``window``."""
    latest, fire = None, trigger.get_next_fire_time(None, now - window)
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return latest


async def catch_up(jobs: list[Job], now: datetime | None = None) -> list[str]:
    now = now or current_time()
    ran = []
    for job in jobs:
        due = latest_due(job.trigger, now, job.catch_up_window)
        if due is not None and await run_once(job, due):
            ran.append(job.id)
    return ran


def __getattr__(name: str):
    """``AsyncIOScheduler``, imported when a scheduler is first built, not when a server starts."""
    if name == "AsyncIOScheduler":
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        globals()[name] = AsyncIOScheduler
        return AsyncIOScheduler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _build_scheduler(jobs: list[Job]) -> AsyncIOScheduler:
    # Looked up on the module (its __getattr__ above), so APScheduler loads only here.
    scheduler = sys.modules[__name__].AsyncIOScheduler(timezone="Europe/London")
    for job in jobs:

        async def fire(job: Job = job) -> None:
            # Key the run by the trigger's own time, not the clock, so instances agree on it.
            now = current_time()
            await run_once(job, latest_due(job.trigger, now, job.catch_up_window) or now)

        scheduler.add_job(
            fire, job.trigger, id=job.id, replace_existing=True, coalesce=True,
            max_instances=1, misfire_grace_time=3600,
        )
    return scheduler


class JobRunner:
    """Started and stopped by the app lifespan.

    At most one scheduler per deployment: this instance runs one only while it holds the
    advisory lock on a live connection. Losing that connection (server restart, network,
    ``pg_terminate_backend``) stops the scheduler first, before anything else; only then does
    the runner reconnect and try for the lock again.
    """

    def __init__(self, settings: Settings, jobs: list[Job] | Callable[[], list[Job]]) -> None:
        """``jobs`` may be a function giving them: it is called when a scheduler first starts, so
        an instance that runs none (``PEERWORK_SCHEDULER=false``, or not the lock holder yet)
        does not load the job modules and APScheduler to start serving."""
        self.settings = settings
        self._jobs = jobs
        self.scheduler: AsyncIOScheduler | None = None
        self._leader_task: asyncio.Task | None = None
        self._lock_connection = None
        self._wake = asyncio.Event()  # set when the lock connection is lost: check at once
        self._stopping = False

    @property
    def jobs(self) -> list[Job]:
        if callable(self._jobs):
            self._jobs = self._jobs()
        return self._jobs

    @property
    def is_leader(self) -> bool:
        return self.scheduler is not None and self.scheduler.running

    async def start(self) -> None:
        if not self.settings.scheduler_enabled:
            return
        self._stopping = False
        if self.settings.is_postgres:
            self._leader_task = asyncio.create_task(self._lead_when_possible())
        else:
            await self._become_leader()  # SQLite: one instance by definition

    async def _become_leader(self, holds_lock: Callable[[], bool] = lambda: True) -> None:
        """Start the scheduler, unless this instance already runs one (never two)."""
        if self.is_leader:
            return
        await catch_up(self.jobs)
        if self.is_leader:  # started meanwhile: keep the one that runs
            return
        if not holds_lock():  # the lock went while catching up: do not start without it
            raise ConnectionError("lost the scheduler lock while catching up")
        self._stop_scheduler()  # drop a stopped leftover, if any
        scheduler = _build_scheduler(self.jobs)
        scheduler.start()
        self.scheduler = scheduler
        logger.info("scheduler running %d job(s) on %s", len(self.jobs), INSTANCE)

    async def _lead_when_possible(self) -> None:
        # The loop also ends on ``_stopping``, not only on cancellation: a cancel that lands
        # as a timeout fires can be lost, and stop() must never wait on a loop that goes on.
        while not self._stopping:
            self._wake.clear()
            try:
                if self._lock_connection is None:
                    await self._try_to_lead()
                else:
                    await self._check_lock()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - lost the connection: step down, retry
                logger.warning("scheduler leadership check failed: %s", type(exc).__name__)
                await self._step_down()
            if self._stopping:
                break
            try:
                async with asyncio.timeout(RETRY_SECONDS):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _try_to_lead(self) -> None:
        import asyncpg

        self._stop_scheduler()  # without the lock there is no scheduler here
        connection = await asyncpg.connect(
            self.settings.database_url, timeout=LOCK_TIMEOUT_SECONDS,
            server_settings={"application_name": LOCK_APPLICATION_NAME},
        )
        self._lock_connection = connection
        connection.add_termination_listener(self._lock_connection_lost)
        async with asyncio.timeout(LOCK_TIMEOUT_SECONDS):
            got = await connection.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK_KEY)
        if got:
            await self._become_leader(holds_lock=lambda: not connection.is_closed())
        else:
            await self._drop_lock_connection()

    async def _check_lock(self) -> None:
        """Still holding the lock? A closed or silent connection means no."""
        connection = self._lock_connection
        if connection.is_closed():
            raise ConnectionError("scheduler lock connection closed")
        async with asyncio.timeout(LOCK_TIMEOUT_SECONDS):
            await connection.fetchval("SELECT 1")
        if not self.is_leader:  # holding the lock with no scheduler running: run it
            await self._become_leader(holds_lock=lambda: not connection.is_closed())

    def _lock_connection_lost(self, connection) -> None:
        """asyncpg's termination listener: the lock is gone with the connection, so stop now."""
        if connection is not self._lock_connection:
            return  # one we closed ourselves
        if self.is_leader:
            logger.warning("scheduler lock connection lost: stopping the scheduler on %s", INSTANCE)
        self._stop_scheduler()
        self._wake.set()

    async def _step_down(self) -> None:
        self._stop_scheduler()  # first: never run jobs without the lock
        await self._drop_lock_connection()

    async def _drop_lock_connection(self) -> None:
        connection, self._lock_connection = self._lock_connection, None
        if connection is None or connection.is_closed():
            return
        try:
            async with asyncio.timeout(LOCK_TIMEOUT_SECONDS):
                await connection.close(timeout=LOCK_TIMEOUT_SECONDS)
        except asyncio.CancelledError:
            connection.terminate()
            raise
        except Exception:  # noqa: BLE001 - a dead connection cannot close politely
            connection.terminate()

    def _stop_scheduler(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        task, self._leader_task = self._leader_task, None
        if task is not None:
            task.cancel()
            # Bounded: the loop ends on _stopping even if the cancel were lost.
            done, _ = await asyncio.wait({task}, timeout=2 * LOCK_TIMEOUT_SECONDS)
            if not done:
                logger.warning("scheduler leadership loop did not stop in time on %s", INSTANCE)
            elif not task.cancelled() and task.exception() is not None:
                logger.warning("scheduler leadership loop ended with %s", type(task.exception()).__name__)
        self._stop_scheduler()
        await self._drop_lock_connection()
