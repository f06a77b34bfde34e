"""The append-only audit log: every write, and every read of a sensitive field.

Entries hold identifiers and field *names*, never values, so the log itself is not a second
copy of anyone's special-category data.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from peerwork.core.access import Principal
from peerwork.core.tables import AuditLog

SYSTEM_ACCOUNT = UUID(int=0)


async def record(
    principal: Principal | None,
    action: str,
    table_name: str,
    record_id: object | None = None,
    *,
    organisation_id: UUID | None = None,
    **detail: Any,
) -> None:
    account_id = None
    if principal is not None and principal.account_id != SYSTEM_ACCOUNT:
        account_id = principal.account_id
    if principal is not None:
        detail.setdefault("via", principal.via)
    await AuditLog.insert(
        AuditLog(
            organisation=organisation_id or (principal.organisation_id if principal else None),
            account=account_id,
            action=action,
            table_name=table_name,
            record_id=None if record_id is None else str(record_id),
            detail=detail,
        )
    ).run()


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
