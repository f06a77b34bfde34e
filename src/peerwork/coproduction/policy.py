"""An organisation's involvement policy: hourly rates by activity kind, whether expenses are
reimbursed, whether staff on interview panels are paid. Admin and HR edit it; every change is
audited. Lines copy the rate when recorded, so a change applies to new lines only."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.time import now
from peerwork.coproduction.schemas import PolicyIn, PolicyOut
from peerwork.coproduction.tables import InvolvementPolicy

DEFAULT = {"rates": {}, "reimburse_expenses": True, "pay_employees_for_panels": False, "updated_at": None}


async def policy_row(organisation_id: UUID) -> dict[str, Any]:
    """The organisation's policy, or the default (nothing paid, expenses reimbursed)."""
    row = await InvolvementPolicy.select(
        InvolvementPolicy.rates, InvolvementPolicy.reimburse_expenses, InvolvementPolicy.pay_employees_for_panels,
        InvolvementPolicy.updated_at).where(InvolvementPolicy.organisation == organisation_id).first()
    if row is None:
        return dict(DEFAULT)
    # JSON comes back as text on some engines.
    return {**row, "rates": json.loads(row["rates"]) if isinstance(row["rates"], str) else row["rates"]}


def rate_for(policy: dict[str, Any], kind: str) -> int:
    return int(policy["rates"].get(kind, 0))


def _out(row: dict[str, Any]) -> PolicyOut:
    return PolicyOut(rates={k: int(v) for k, v in row["rates"].items()}, reimburse_expenses=row["reimburse_expenses"],
                     pay_employees_for_panels=row["pay_employees_for_panels"], updated_at=row["updated_at"])


async def get_policy(principal: Principal) -> PolicyOut:
    principal.require("coproduction:manage")
    return _out(await policy_row(principal.organisation_id))


async def set_policy(principal: Principal, data: PolicyIn) -> PolicyOut:
    principal.require("coproduction:manage")
    values = {"rates": {k: int(v) for k, v in sorted(data.rates.items())}, "reimburse_expenses": data.reimburse_expenses,
              "pay_employees_for_panels": data.pay_employees_for_panels, "updated_at": now()}
    async with transaction():
        existing = await InvolvementPolicy.select(InvolvementPolicy.id).where(
            InvolvementPolicy.organisation == principal.organisation_id).first()
        if existing:
            await InvolvementPolicy.update({getattr(InvolvementPolicy, k): v for k, v in values.items()}).where(
                InvolvementPolicy.id == existing["id"])
            policy_id = existing["id"]
        else:
            row = InvolvementPolicy(organisation=principal.organisation_id, **values)
            await row.save()
            policy_id = row.id
        await audit.record(principal, "update", "coproduction_policy", policy_id, fields=sorted(values))
    return _out(values)
