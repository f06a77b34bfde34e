"""Queries scoped to one organisation: the building blocks that keep tenants apart."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from piccolo.columns import Column
from piccolo.table import Table

from peerwork.errors import Conflict, NotFound


async def one_in_organisation(
    table: type[Table], organisation_id: UUID, record_id: UUID, columns: tuple[Any, ...], missing: str
) -> dict[str, Any]:
    """The record, if it belongs to the organisation; otherwise NotFound (never "forbidden")."""
    row = await table.select(*columns).where(
        (table._meta.primary_key == record_id) & (table.organisation == organisation_id)  # type: ignore[attr-defined]
    ).first()
    if row is None:
        raise NotFound(missing)
    return row


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
