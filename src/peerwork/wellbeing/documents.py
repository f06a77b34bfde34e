"""A person's wellness plan and adjustments passport: written, sealed, and read back only by
their owner and the people the owner named.

The words are sealed as one JSON value per document with ``core.crypto.seal`` (a fresh data
key each save, wrapped by the master key outside the database), bound to the owner, the row
and the kind, so a sealed value copied onto another row or person does not open. Every read,
the owner's included, is written to the audit log (ids only, never words).
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any
from uuid import UUID

from peerwork.core import audit, crypto
from peerwork.core.access import Principal
from peerwork.core.errors import Conflict, NotFound, PermissionDenied, is_unique_violation
from peerwork.core.tables import Account
from peerwork.core.time import now
from peerwork.wellbeing.schemas import FIELDS, DocumentOut, PassportIn, PlanIn
from peerwork.wellbeing.tables import WellbeingDocument, WellbeingShare

TABLE = "wellbeing_document"
MISSING = "No such wellness plan or passport."
_COLUMNS = (WellbeingDocument.id, WellbeingDocument.organisation, WellbeingDocument.owner, WellbeingDocument.kind,
            WellbeingDocument.sealed, WellbeingDocument.review_date, WellbeingDocument.updated_at)


def associated(owner: UUID, document_id: UUID, kind: str) -> str:
    """What a document's sealed words are bound to: its owner, its row and its kind."""
    return f"wellbeing-document:{owner}:{document_id}:{kind}"


def words_of(kind: str, data: PlanIn | PassportIn) -> dict[str, str]:
    """The text fields of a plan or passport as stored (sealed): every field of its kind."""
    words = {}
    for name in FIELDS[kind]:
        value = getattr(data, name)
        words[name] = value.isoformat() if isinstance(value, date) else (value or "")
    return words


def _out(row: dict[str, Any], owner_name: str, mine: bool) -> DocumentOut:
    opened = crypto.open_sealed(row["sealed"], associated=associated(row["owner"], row["id"], row["kind"]))
    return DocumentOut(id=row["id"], kind=row["kind"], owner_name=owner_name, mine=mine, text=json.loads(opened),
                       review_date=row["review_date"], updated_at=row["updated_at"])


async def save(principal: Principal, kind: str, data: PlanIn | PassportIn) -> DocumentOut:
    """Write (or rewrite) the caller's own plan or passport."""
    principal.require("wellbeing:own")
    owner = principal.account_id
    found = await WellbeingDocument.select(WellbeingDocument.id).where(
        WellbeingDocument.slot == f"{owner}:{kind}").first()
    document_id = found["id"] if found else uuid.uuid4()
    sealed = crypto.seal(json.dumps(words_of(kind, data)), associated=associated(owner, document_id, kind))
    values = {"sealed": sealed, "key_id": crypto.sealed_key_id(sealed), "review_date": data.review_date,
              "updated_at": now()}
    if found:
        await WellbeingDocument.update({getattr(WellbeingDocument, k): v for k, v in values.items()}).where(
            WellbeingDocument.id == document_id)
    else:
        try:
            await WellbeingDocument(id=document_id, organisation=principal.organisation_id, owner=owner, kind=kind,
                                    slot=f"{owner}:{kind}", **values).save()
        except Exception as exc:
            if is_unique_violation(exc):  # saved at the same moment from another tab
                raise Conflict("It was just saved from elsewhere; please reload and try again.") from None
            raise
    await audit.record(principal, "update" if found else "create", TABLE, document_id, kind=kind)
    return await mine(principal, kind)  # type: ignore[return-value]


async def mine(principal: Principal, kind: str) -> DocumentOut | None:
    """The caller's own plan or passport, or None when they have not written one."""
    principal.require("wellbeing:own")
    row = await WellbeingDocument.select(*_COLUMNS).where(
        WellbeingDocument.slot == f"{principal.account_id}:{kind}").first()
    if row is None:
        return None
    await audit.record(principal, "read", TABLE, row["id"], kind=kind, as_owner=True)
    return _out(row, principal.display_name, mine=True)


async def _row(document_id: UUID) -> dict[str, Any]:
    row = await WellbeingDocument.select(*_COLUMNS).where(WellbeingDocument.id == document_id).first()
    if row is None:
        raise NotFound(MISSING)
    return row


def _refuse(principal: Principal, row: dict[str, Any]) -> None:
    """Someone who is neither owner nor named: forbidden within the owner's organisation, and
    not found anywhere else (another organisation never learns it exists)."""
    if row["organisation"] == principal.organisation_id:
        raise PermissionDenied("This belongs to someone else. Only they can show it to you.")
    raise NotFound(MISSING)


async def is_shared_with(document_id: UUID, principal: Principal) -> bool:
    """Whether the owner shared it with the caller, acting in the organisation they were named
    in (signed in to another organisation, they are a stranger to it)."""
    return await WellbeingShare.exists().where(
        (WellbeingShare.document == document_id) & (WellbeingShare.grantee == principal.account_id)
        & (WellbeingShare.grantee_organisation == principal.organisation_id))


async def owned(principal: Principal, document_id: UUID) -> dict[str, Any]:
    """The document if the caller owns it. A person it is shared with may read it but not
    share it on or withdraw anything: forbidden, like anyone else in the organisation."""
    principal.require("wellbeing:own")
    row = await _row(document_id)
    if row["owner"] == principal.account_id:
        return row
    if await is_shared_with(document_id, principal):
        raise PermissionDenied("Only its owner can share it or change who sees it.")
    _refuse(principal, row)
    raise AssertionError("unreachable")


async def read(principal: Principal, document_id: UUID) -> DocumentOut:
    """A document for its owner or a person it is shared with (checked on every read, so a
    withdrawal takes effect on the next request); the read is audited."""
    principal.require("wellbeing:own")
    row = await _row(document_id)
    mine_ = row["owner"] == principal.account_id
    if not mine_ and not await is_shared_with(document_id, principal):
        _refuse(principal, row)
    owner_name = principal.display_name if mine_ else await Account.select(Account.display_name).where(
        Account.id == row["owner"]).first()
    name = owner_name if isinstance(owner_name, str) else (owner_name or {}).get("display_name", "")
    await audit.record(principal, "read", TABLE, document_id, kind=row["kind"], as_owner=mine_,
                       owner_organisation=str(row["organisation"]))
    return _out(row, name, mine=mine_)
