"""The one database engine, built from settings, shared by every table.

Piccolo finds its engine through ``piccolo_conf.DB``; :func:`use_database` points that and
every registered table at the engine for the configured URL, so the app, the CLI, jobs,
migrations and tests all talk to the same database.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from peerwork.core.lazy import defer_in_sys_modules

# Piccolo's configuration module imports the black formatter at its top, for the one command
# that rewrites a project file; bind it there without loading it (about 0.1-0.2 s of start-up).
defer_in_sys_modules("black")

from piccolo.conf.apps import Finder  # noqa: E402
from piccolo.engine.base import Engine  # noqa: E402
from piccolo.engine.postgres import PostgresEngine  # noqa: E402
from piccolo.engine.sqlite import SQLiteEngine, TransactionType  # noqa: E402
from piccolo.columns.defaults.base import Default  # noqa: E402
from piccolo.table import Table  # noqa: E402
from piccolo.columns.column_types import JSON, JSONB  # noqa: E402
from piccolo.utils.encoding import dump_json  # noqa: E402

_engines: dict[str, Engine] = {}
_current: Engine | None = None


class _PostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine without the check it makes as it is built: a connection of
    its own, in an event loop of its own, only to log the server's version (and warn below
    PostgreSQL 10). Every start builds an engine; the first real query reaches the server anyway
    and says in one line when it cannot."""

    async def check_version(self) -> None:
        return None


def build_engine(database_url: str) -> Engine:
    if database_url.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(database_url)
        if not parts.path.strip("/"):
            raise ValueError("PEERWORK_DATABASE_URL names no database (postgresql://host/NAME).")
        return _PostgresEngine(config={"dsn": database_url}, log_queries=False)
    path = Path(database_url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    # A generous busy timeout: SQLite has one writer, and others wait for it rather than fail.
    return SQLiteEngine(path=str(path), timeout=30)


def engine_for(database_url: str) -> Engine:
    """The engine for a URL; the same object every time, so pools are not duplicated."""
    if database_url not in _engines:
        _engines[database_url] = build_engine(database_url)
    return _engines[database_url]


def use_database(database_url: str) -> Engine:
    """Make the engine for ``database_url`` the one every table and migration uses.

    Piccolo finds its configuration (``peerwork.piccolo_conf``, the list of apps) through the
    ``PICCOLO_CONF`` variable; the core reaches it the same way, so it names no capability.
    """
    global _current
    os.environ.setdefault("PICCOLO_CONF", "peerwork.piccolo_conf")
    engine = engine_for(database_url)
    _current = engine
    finder = Finder()
    finder.get_piccolo_conf_module().DB = engine  # what Piccolo's migration runner uses
    for table in finder.get_table_classes():
        table._meta.db = engine
    return engine


def is_postgres(engine: Engine) -> bool:
    return isinstance(engine, PostgresEngine)


async def open_pool(engine: Engine) -> bool:
    """Open the connection pool; False if one was already open (then leave it to its opener)."""
    if isinstance(engine, PostgresEngine):
        if engine.pool is not None:
            return False
        await engine.start_connection_pool(min_size=1, max_size=10, reset=_keep_session)
    else:
        # WAL lets readers carry on while the one writer writes; the setting persists in the file.
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    return True


async def _keep_session(connection) -> None:
    """asyncpg's default reset runs a query each time a connection goes back to the pool. Our
    code never leaves session state behind (no SET, LISTEN or session-level locks on pooled
    connections; asyncpg still rolls back an open transaction), so skip that round trip."""


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


HEALTH_TIMEOUT_SECONDS = 3.0


async def database_reachable(engine: Engine, timeout: float = HEALTH_TIMEOUT_SECONDS) -> bool:
    """Can a query run now? Bounded by ``timeout``, so a hung server reads as unreachable."""
    try:
        await asyncio.wait_for(engine.run_ddl("SELECT 1"), timeout)
    except Exception:  # noqa: BLE001 - any failure means "not reachable" to /health
        return False
    return True


def current_engine() -> Engine:
    if _current is None:
        raise RuntimeError("No database chosen: call use_database(url) first.")
    return _current


def transaction():
    """A write transaction on the current engine (nested calls join the outer one).

    On SQLite it starts IMMEDIATE, taking the write lock up front: a deferred transaction
    that reads then writes can fail with "database is locked" when another writer slipped in.
    """
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


_NAMED = re.compile(r"\{(\w+)\}")


def named(sql: str, **values: Any) -> tuple[str, list[Any]]:
    """SQL written with named placeholders (``{org}``) as Piccolo's raw positional form
    (``{}``) and its parameters in order: a name used twice is bound twice."""
    params = [values[name] for name in _NAMED.findall(sql)]
    return _NAMED.sub("{}", sql), params


# --- many rows at once ----------------------------------------------------------------------------

# PostgreSQL binds at most 32,767 parameters in one statement.
_MAX_PARAMETERS = 32767


async def insert_rows(table: type[Table], rows: Sequence[Mapping[str, Any]], *,
                      skip_conflicts_on: str | None = None) -> int:
    """Write many rows of ``table``, each a dict of column name to plain value (a UUID, not a
    row object), as ``table.insert`` would (a column not given takes its default, a dict for a
    JSON column is stored as its JSON) but without Piccolo building its SQL value by value:
    on PostgreSQL by COPY, on SQLite by one prepared INSERT run for every row. With
    ``skip_conflicts_on`` (a unique column) a row whose value is already there is skipped, as
    ``ON CONFLICT DO NOTHING`` (PostgreSQL then uses multi-row INSERTs: COPY cannot skip).
    Joins the caller's transaction (opens one otherwise), so a failure leaves none of the rows.
    Returns how many rows were written."""
    if not rows:
        return 0
    columns = table._meta.columns
    known = {c._meta.name for c in columns}
    for row in rows:
        if unknown := row.keys() - known:
            raise ValueError(f"{table._meta.tablename} has no column {', '.join(sorted(unknown))}")
    values = [_values_of(c) for c in columns]
    records = [tuple(value(row) for value in values) for row in rows]
    names = [c._meta.db_column_name for c in columns]
    async with transaction():
        return await insert_records(table._meta.tablename, names, records, skip_conflicts_on=skip_conflicts_on)


def _values_of(column: Any) -> Callable[[Mapping[str, Any]], Any]:
    """How to read one column's database value from a row: its value there, else its default
    (made anew per row where Piccolo does, such as a new UUID or now), JSON as its text."""
    name, default = column._meta.name, getattr(column, "default", ...)
    if isinstance(default, Default):
        fill = default.python
    elif callable(default):
        fill = default
    else:
        constant = column.get_default_value()
        fill = lambda: constant  # noqa: E731

    def value(row: Mapping[str, Any]) -> Any:
        return row[name] if name in row else fill()

    if not isinstance(column, (JSON, JSONB)):
        return value
    return lambda row: v if (v := value(row)) is None or isinstance(v, str) else dump_json(v)


async def insert_records(table: str, columns: Sequence[str], records: Sequence[tuple], *,
                         skip_conflicts_on: str | None = None) -> int:
    """The raw form of :func:`insert_rows`: ``records`` are tuples of database values in the
    order of ``columns``. Must run inside :func:`transaction`."""
    if not records:
        return 0
    engine = current_engine()
    connection = engine.current_transaction.get().connection
    listed = ", ".join(f'"{c}"' for c in columns)
    skip = f' ON CONFLICT ("{skip_conflicts_on}") DO NOTHING' if skip_conflicts_on else ""
    if not is_postgres(engine):
        before = connection.total_changes
        marks = ", ".join("?" for _ in columns)
        await connection.executemany(f'INSERT INTO "{table}" ({listed}) VALUES ({marks}){skip}', records)
        return connection.total_changes - before
    if not skip:
        await connection.copy_records_to_table(table, records=records, columns=list(columns))
        return len(records)
    written, width = 0, len(columns)
    step = _MAX_PARAMETERS // width
    for start in range(0, len(records), step):
        chunk = records[start:start + step]
        places = ", ".join("(" + ", ".join(f"${i * width + j + 1}" for j in range(width)) + ")"
                           for i in range(len(chunk)))
        status = await connection.execute(f'INSERT INTO "{table}" ({listed}) VALUES {places}{skip}',
                                          *(v for record in chunk for v in record))
        written += int(status.rsplit(" ", 1)[1])  # "INSERT 0 <rows>"
    return written
