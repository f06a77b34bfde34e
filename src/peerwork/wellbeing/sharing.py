"""Who may read a person's plan or passport: only people the owner names, one at a time, and
only until the owner withdraws it. Only the owner shares or withdraws (a person it was shared
with cannot pass it on); every share and withdrawal is audited (ids only)."""

from __future__ import annotations

from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.errors import InvalidInput, is_unique_violation
from peerwork.core.tables import Account, Membership, Organisation
from peerwork.core.tenancy import network_partners
from peerwork.wellbeing import documents
from peerwork.wellbeing.schemas import PersonChoice, SharedWithMe, ShareIn, ShareOut
from peerwork.wellbeing.tables import WellbeingShare

TABLE = "wellbeing_share"


async def candidates(principal: Principal) -> list[PersonChoice]:
    """The people in the caller's own organisation they could share with (not themself)."""
    principal.require("wellbeing:own")
    ids = set(await Membership.select(Membership.account).where(
        Membership.organisation == principal.organisation_id).output(as_list=True))
    ids.discard(principal.account_id)
    if not ids:
        return []
    rows = await Account.select(Account.id, Account.display_name, Account.email).where(
        Account.id.is_in(list(ids)) & (Account.is_active == True)).order_by(Account.display_name)  # noqa: E712
    return [PersonChoice(account_id=r["id"], name=r["display_name"] or r["email"]) for r in rows]


async def _grantee(principal: Principal, data: ShareIn) -> tuple[UUID, UUID]:
    """(account, organisation) of the person named: by account in the caller's organisation, or
    by work email in it or in a network partner. Anyone else reads as "no such person"."""
    if (data.account_id is None) == (not data.email):
        raise InvalidInput("Choose one person: someone from your organisation, or a work email.")
    allowed = {principal.organisation_id}
    if data.account_id is not None:
        account_id = data.account_id
    else:
        allowed |= await network_partners(principal.organisation_id)
        found = await Account.select(Account.id).where(Account.email == data.email.strip().lower()).first()
        account_id = found["id"] if found else None
    memberships = [] if account_id is None else await Membership.select(Membership.organisation).where(
        (Membership.account == account_id) & Membership.organisation.is_in(list(allowed))).output(as_list=True)
    if not memberships:
        raise InvalidInput("No one by that name or email works in your organisation or its network partners.")
    if account_id == principal.account_id:
        raise InvalidInput("It is already yours: choose someone else to share it with.")
    home = principal.organisation_id if principal.organisation_id in memberships else memberships[0]
    return account_id, home


async def share(principal: Principal, document_id: UUID, data: ShareIn) -> ShareOut:
    """Let one named person read the caller's own document, from the next request on."""
    row = await documents.owned(principal, document_id)
    grantee, organisation = await _grantee(principal, data)
    try:
        await WellbeingShare(document=document_id, grantee=grantee, grantee_organisation=organisation,
                             slot=f"{document_id}:{grantee}").save()
        await audit.record(principal, "share", TABLE, document_id, kind=row["kind"], grantee=str(grantee))
    except Exception as exc:
        if not is_unique_violation(exc):
            raise  # already shared with them: sharing again changes nothing
    return next(s for s in await shares(principal) if s.document_id == document_id and s.account_id == grantee)


async def withdraw(principal: Principal, document_id: UUID, account_id: UUID) -> None:
    """Stop a person reading the caller's own document, from the next request on."""
    row = await documents.owned(principal, document_id)
    removed = await WellbeingShare.delete().where(
        (WellbeingShare.document == document_id) & (WellbeingShare.grantee == account_id)).returning(WellbeingShare.id)
    if removed:
        await audit.record(principal, "withdraw", TABLE, document_id, kind=row["kind"], grantee=str(account_id))


async def shares(principal: Principal) -> list[ShareOut]:
    """Everyone who can read the caller's plan or passport now."""
    principal.require("wellbeing:own")
    rows = await WellbeingShare.select(
        WellbeingShare.document, WellbeingShare.document.kind.as_alias("kind"), WellbeingShare.grantee,
        WellbeingShare.grantee.display_name.as_alias("name"),
        WellbeingShare.grantee_organisation.name.as_alias("organisation"), WellbeingShare.granted_at,
    ).where(WellbeingShare.document.owner == principal.account_id).order_by(WellbeingShare.granted_at)
    return [ShareOut(document_id=r["document"], kind=r["kind"], account_id=r["grantee"], name=r["name"],
                     organisation=r["organisation"], granted_at=r["granted_at"]) for r in rows]


async def shared_with_me(principal: Principal) -> list[SharedWithMe]:
    """The plans and passports other people have shared with the caller (no words: a list)."""
    principal.require("wellbeing:own")
    rows = await WellbeingShare.select(
        WellbeingShare.document, WellbeingShare.document.kind.as_alias("kind"),
        WellbeingShare.document.owner.display_name.as_alias("owner_name"),
        WellbeingShare.document.organisation.as_alias("organisation_id"), WellbeingShare.granted_at,
    ).where((WellbeingShare.grantee == principal.account_id)
            & (WellbeingShare.grantee_organisation == principal.organisation_id)).order_by(WellbeingShare.granted_at)
    names = {}
    if rows:
        names = {o["id"]: o["name"] for o in await Organisation.select(Organisation.id, Organisation.name).where(
            Organisation.id.is_in([r["organisation_id"] for r in rows]))}
    return [SharedWithMe(document_id=r["document"], kind=r["kind"], owner_name=r["owner_name"],
                         organisation=names.get(r["organisation_id"], ""), granted_at=r["granted_at"]) for r in rows]

