"""Who an API token belongs to, remembered for a few seconds, so an API read is one round trip.

Without it every API request asks the database twice: who is calling, then the record. The
cache keeps that first answer, but only while it cannot be out of date:

- On PostgreSQL, triggers NOTIFY ``peerwork_auth`` when any change to tokens, accounts,
  memberships or organisations commits (whoever makes it; see the workforce migration
  ``2026-11-30T02:20:00``). Each instance LISTENs on a connection of its own and forgets its
  whole cache on a notice. While that connection is not listening (not yet open, lost,
  reconnecting) nothing is served from the cache and nothing is stored in it: every request
  asks the database, as it would without a cache. Reconnecting starts from an empty cache.
- A request stores what it read only if no notice arrived since it started reading (the
  generation number), so an answer read just before a change cannot outlive the change.
- Only successes are cached: a token the database does not know (yet) is asked about again
  on the next request, so a newly issued token works at once.
- Entries are bounded in number and live a few seconds at most.
- On SQLite (one instance, no network round trip) nothing is cached.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from peerwork.core.access import Principal

CHANNEL = "peerwork_auth"  # the migration's triggers notify this channel
APPLICATION_NAME = "peerwork-auth-listener"  # how operators find the connection in pg_stat_activity
MAX_ENTRIES = 10_000
MAX_AGE_SECONDS = 5.0
logger = logging.getLogger("peerwork.auth_cache")


@dataclass
class Entry:
    principal: Principal
    credential_id: UUID
    last_used_at: datetime | None  # as last read or written, for the hourly last-used record
    stored_at: float


class AuthCache:
    """Token digest -> Entry, for one app instance; serves nothing until made live."""

    def __init__(self, *, max_entries: int = MAX_ENTRIES, max_age_seconds: float = MAX_AGE_SECONDS) -> None:
        self.max_entries = max_entries
        self.max_age_seconds = max_age_seconds
        self.live = False
        self._still_listening: Callable[[], bool] = lambda: True
        self.generation = 0  # bumped by every forget: a read begun before it is not stored
        self._entries: dict[str, Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Entry | None:
        if not self.live or not self._still_listening():
            return None
        entry = self._entries.get(key)
        if entry is not None and time.monotonic() - entry.stored_at > self.max_age_seconds:
            del self._entries[key]
            return None
        return entry

    def put(self, key: str, entry: Entry, generation: int) -> None:
        """Store what was read under ``generation``, unless something changed meanwhile."""
        if not self.live or generation != self.generation or not self._still_listening():
            return
        if len(self._entries) >= self.max_entries and key not in self._entries:
            del self._entries[next(iter(self._entries))]  # the oldest: dicts keep insertion order
        self._entries[key] = entry

    def forget_all(self) -> None:
        self._entries.clear()
        self.generation += 1

    def go_live(self, still_listening: Callable[[], bool] = lambda: True) -> None:
        """Serve from now on, empty, for as long as ``still_listening()`` (asyncpg reports a lost
        connection one loop turn later; its ``is_closed`` knows at once)."""
        self.forget_all()
        self._still_listening = still_listening
        self.live = True

    def go_dark(self) -> None:
        self.live = False
        self.forget_all()


class AuthListener:
    """Keeps one LISTEN connection open for an instance's cache, reconnecting when it is lost.

    The cache is live only between a successful LISTEN and the loss of that connection, which
    asyncpg reports at once when the server closes it (a restart, ``pg_terminate_backend``);
    a connection that silently stops answering is caught by a check every second.
    """

    def __init__(self, database_url: str, cache: AuthCache, *, retry_seconds: float = 0.5,
                 check_seconds: float = 1.0) -> None:
        self.database_url = database_url
        self.cache = cache
        self.retry_seconds = retry_seconds
        self.check_seconds = check_seconds
        self.connection = None
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="peerwork-auth-listener")

    async def stop(self) -> None:
        self.cache.go_dark()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        import asyncpg

        failing = False
        while True:
            try:
                connection = await asyncpg.connect(
                    self.database_url, server_settings={"application_name": APPLICATION_NAME})
            except Exception as exc:  # noqa: BLE001 - whatever it is, ask the database and retry
                if not failing:  # once per outage, not twice a second
                    logger.warning("auth cache: cannot listen for changes (%s); asking the database each time",
                                   type(exc).__name__)
                failing = True
                await asyncio.sleep(self.retry_seconds)
                continue
            failing = False
            self.connection = connection
            lost = asyncio.Event()

            def on_lost(_connection) -> None:
                self.cache.go_dark()  # at once, before any request can be served from it
                lost.set()

            connection.add_termination_listener(on_lost)
            try:
                await connection.add_listener(CHANNEL, self._notified)
                if not connection.is_closed():
                    self.cache.go_live(lambda: not connection.is_closed())
                while not lost.is_set() and not connection.is_closed():
                    try:
                        await asyncio.wait_for(lost.wait(), self.check_seconds)
                    except asyncio.TimeoutError:
                        await asyncio.wait_for(connection.execute("SELECT 1"), self.check_seconds)
            except Exception as exc:  # noqa: BLE001 - whatever it is, the cache is dark until reconnected
                logger.warning("auth cache: lost the listening connection (%s); reconnecting", type(exc).__name__)
            finally:
                self.cache.go_dark()
                self.connection = None
                connection.terminate()
            await asyncio.sleep(self.retry_seconds)

    def _notified(self, _connection, _pid: int, _channel: str, _payload: str) -> None:
        self.cache.forget_all()
