"""Queries scoped to one organisation, and which organisations share a network: the building
blocks that keep tenants apart (and let network partners share what they choose to)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from piccolo.columns import UUID as UUIDColumn, Column
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from peerwork.core.errors import Conflict, NotFound
from peerwork.core.tables import NetworkMembership


class _Lookup:
    """One record by id within an organisation, built once per table and column list: on a hot
    read path, building the query each time costs more than running it."""

    __slots__ = ("columns", "piccolo_sql", "postgres_sql", "names", "uuid_names")

    def __init__(self, table: type[Table], columns: tuple[Column, ...]) -> None:
        self.columns = columns
        quoted = ", ".join(f'"{c._meta.db_column_name}"' for c in columns)
        where = f'FROM "{table._meta.tablename}" WHERE "id" = {{}} AND "organisation" = {{}} LIMIT 1'
        self.piccolo_sql = f"SELECT {quoted} {where}"
        self.postgres_sql = f"SELECT {quoted} {where.format('$1', '$2')}"
        self.names = tuple((c._meta.name, c._meta.db_column_name) for c in columns)
        self.uuid_names = frozenset(c._meta.name for c in columns if isinstance(c, UUIDColumn))


_BY_NAMES: dict[tuple[str, tuple[str, ...]], _Lookup] = {}
# Callers pass module-level column tuples: found by identity first (the stored tuple stays
# alive, so its id is never reused); bounded, since a caller may build its tuple per call.
_BY_IDENTITY: dict[int, _Lookup] = {}
_IDENTITY_LIMIT = 256


def _lookup(table: type[Table], columns: tuple[Column, ...]) -> _Lookup:
    found = _BY_IDENTITY.get(id(columns))
    if found is not None and found.columns is columns:
        return found
    key = (table._meta.tablename, tuple(c._meta.db_column_name for c in columns))
    found = _BY_NAMES.get(key)
    if found is None:
        found = _BY_NAMES[key] = _Lookup(table, columns)
    if found.columns is columns and len(_BY_IDENTITY) < _IDENTITY_LIMIT:
        _BY_IDENTITY[id(columns)] = found
    return found


async def one_in_organisation(
    table: type[Table], organisation_id: UUID, record_id: UUID, columns: tuple[Column, ...], missing: str
) -> dict[str, Any]:
    """The record, if it belongs to the organisation; otherwise NotFound (never "forbidden").
    ``columns`` are plain columns of ``table`` (no joins)."""
    lookup = _lookup(table, columns)
    engine = table._meta.db
    pool = getattr(engine, "pool", None)
    if pool is not None and isinstance(engine, PostgresEngine) and engine.current_transaction.get() is None:
        # Outside a transaction on PostgreSQL: straight to the pool, the statement prepared
        # once per connection by asyncpg, the values already typed.
        row = await pool.fetchrow(lookup.postgres_sql, record_id, organisation_id)
        if row is None:
            raise NotFound(missing)
        return {name: row[db_name] for name, db_name in lookup.names}
    rows = await table.raw(lookup.piccolo_sql, record_id, organisation_id)
    if not rows:
        raise NotFound(missing)
    row = rows[0]
    return {name: _typed(name in lookup.uuid_names, row[db_name]) for name, db_name in lookup.names}


def _typed(is_uuid: bool, value: Any) -> Any:
    """Raw SQLite rows can carry UUIDs as text; give back what the column's type promises."""
    if is_uuid and isinstance(value, str):
        return UUID(value)
    return value


async def ensure_unique(
    column: Column, organisation_id: UUID, value: str, clash: str, *, except_id: UUID | None = None
) -> None:
    """Raise Conflict(clash) if another record in the organisation already has this value."""
    table = column._meta.table
    condition = (table.organisation == organisation_id) & (column == value)  # type: ignore[attr-defined]
    if except_id is not None:
        condition &= table._meta.primary_key != except_id
    if await table.exists().where(condition):
        raise Conflict(clash)


async def network_partners(organisation_id: UUID) -> set[UUID]:
    """Organisations sharing a network with this one (not including itself)."""
    networks = await NetworkMembership.select(NetworkMembership.network).where(
        NetworkMembership.organisation == organisation_id
    ).output(as_list=True)
    if not networks:
        return set()
    partners = await NetworkMembership.select(NetworkMembership.organisation).where(
        NetworkMembership.network.is_in(networks)
    ).output(as_list=True)
    return set(partners) - {organisation_id}
