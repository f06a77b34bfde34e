"""Queries scoped to one organisation, and which organisations share a network: the building
blocks that keep tenants apart (and let network partners share what they choose to)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from piccolo.columns import UUID as UUIDColumn, Column
from piccolo.table import Table

from peerwork.core.errors import Conflict, NotFound
from peerwork.core.tables import NetworkMembership


_SQL: dict[tuple[str, tuple[str, ...]], str] = {}


def _lookup_sql(table: type[Table], columns: tuple[Column, ...]) -> str:
    # Built once per table and column list: on a hot read path, building the query each time
    # costs more than running it.
    key = (table._meta.tablename, tuple(c._meta.db_column_name for c in columns))
    if key not in _SQL:
        names = ", ".join(f'"{name}"' for name in key[1])
        _SQL[key] = f'SELECT {names} FROM "{key[0]}" WHERE "id" = {{}} AND "organisation" = {{}} LIMIT 1'
    return _SQL[key]


async def one_in_organisation(
    table: type[Table], organisation_id: UUID, record_id: UUID, columns: tuple[Column, ...], missing: str
) -> dict[str, Any]:
    """The record, if it belongs to the organisation; otherwise NotFound (never "forbidden").
    ``columns`` are plain columns of ``table`` (no joins)."""
    rows = await table.raw(_lookup_sql(table, columns), record_id, organisation_id)
    if not rows:
        raise NotFound(missing)
    return {c._meta.name: _typed(c, rows[0][c._meta.db_column_name]) for c in columns}


def _typed(column: Column, value: Any) -> Any:
    """Raw SQLite rows can carry UUIDs as text; give back what the column's type promises."""
    if isinstance(value, str) and isinstance(column, UUIDColumn):
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
