"""The append-only audit log: every write, and every read of a sensitive field.

Entries hold identifiers and field *names*, never values, so the log itself is not a second
copy of anyone's special-category data.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from peerwork.core.access import Principal
from peerwork.core.tables import AuditLog

SYSTEM_ACCOUNT = UUID(int=0)


def entry(
    principal: Principal | None,
    action: str,
    table_name: str,
    record_id: object | None = None,
    *,
    organisation_id: UUID | None = None,
    **detail: Any,
) -> AuditLog:
    """The entry :func:`record` writes, not yet written: for a caller that writes it in the
    same statement as something else (``outbox.enqueue_all(..., audit_entries=...)``)."""
    account_id = None
    if principal is not None and principal.account_id != SYSTEM_ACCOUNT:
        account_id = principal.account_id
    if principal is not None:
        detail.setdefault("via", principal.via)
    return AuditLog(
        organisation=organisation_id or (principal.organisation_id if principal else None),
        account=account_id,
        action=action,
        table_name=table_name,
        record_id=None if record_id is None else str(record_id),
        detail=detail,
    )


async def record(
    principal: Principal | None,
    action: str,
    table_name: str,
    record_id: object | None = None,
    *,
    organisation_id: UUID | None = None,
    **detail: Any,
) -> None:
    await write(entry(principal, action, table_name, record_id, organisation_id=organisation_id, **detail))


async def write(*written: AuditLog) -> None:
    """Write entries made by :func:`entry`."""
    await AuditLog.insert(*written).run()


def insert_sql(*written: AuditLog) -> tuple[str, list[Any]]:
    """The INSERT of entries made by :func:`entry`, as PostgreSQL with ``{}`` placeholders, to
    run as part of another statement (a data-modifying CTE): no round trip of their own."""
    values: list[Any] = []
    for e in written:
        detail = e.detail if isinstance(e.detail, str) else json.dumps(e.detail)
        values += [e.id, e.at, e.organisation, e.account, e.action, e.table_name, e.record_id, detail]
    places = ", ".join("({}, {}, {}, {}, {}, {}, {}, {}::jsonb)" for _ in written)
    return ("INSERT INTO audit_log (id, at, organisation, account, action, table_name, record_id, detail) "
            f"VALUES {places}", values)


async def entries(principal: Principal, limit: int = 100) -> list[dict[str, Any]]:
    principal.require("audit:read")
    rows = (
        await AuditLog.select(
            AuditLog.id, AuditLog.at, AuditLog.account, AuditLog.action,
            AuditLog.table_name, AuditLog.record_id, AuditLog.detail,
        )
        .where(AuditLog.organisation == principal.organisation_id)
        .order_by(AuditLog.at, ascending=False)
        .limit(limit)
        .output(load_json=True)
        .run()
    )
    return rows
