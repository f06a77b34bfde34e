"""Leavers: when a person's last assignment ends, so does their account's access.

Their records (CPD, supervision, bookings, the staff record itself) stay; only signing in and
API tokens end. An account with no staff record linked (an admin from outside the workforce
data, say) is left alone; so is someone with a later assignment already on record.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from peerwork.core import accounts, audit
from peerwork.core.db import transaction
from peerwork.core.tables import Account

# Accounts linked to a person whose every assignment ended before ``today``.
_LEFT_SQL = """
SELECT c.id, p.organisation FROM account c JOIN person p ON p.id = c.person
WHERE c.is_active = {}
  AND EXISTS (SELECT 1 FROM assignment a WHERE a.person = p.id)
  AND NOT EXISTS (SELECT 1 FROM assignment a WHERE a.person = p.id AND (a.end_date IS NULL OR a.end_date >= {}))
"""


async def end_access_of_leavers(today: date) -> list[UUID]:
    """Deactivate the accounts of people who have left (the day after their last day)."""
    left = await Account.raw(_LEFT_SQL, True, today)
    ended: list[UUID] = []
    for row in left:
        account_id = row["id"] if isinstance(row["id"], UUID) else UUID(str(row["id"]))
        async with transaction():
            await Account.update({Account.is_active: False}).where(Account.id == account_id)
            await accounts.end_all_access(account_id)
            await audit.record(None, "deactivate", "account", account_id, organisation_id=row["organisation"],
                               reason="left", via="system")
        ended.append(account_id)
    return ended
