"""Accounts API: who I am, accounts and their roles, API tokens, the audit log."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

from litestar import Controller, delete, get, patch, post

from peerwork.accounts import invitations, mfa, sso_controllers
from peerwork.accounts.schemas import (
    AccountIn, AccountOut, AccountPatch, BulkInviteOut, InvitationIn, InvitationOut, Me, TokenIn, TokenIssued, TokenOut,
)
from peerwork.core.requests import Limit
from peerwork.core import accounts, audit
from peerwork.core.access import Principal
from peerwork.core.schema import provided
from peerwork.workforce import people


class MeController(Controller):
    path = "/me"
    tags = ["accounts"]

    @get("/", opt={"right": "self"})
    async def me(self, principal: Principal) -> Me:
        return Me(
            account_id=principal.account_id, email=principal.email, display_name=principal.display_name,
            organisation=principal.organisation_slug, roles=sorted(principal.roles), person_id=principal.person_id,
        )


def account_out(view: accounts.AccountView) -> AccountOut:
    return AccountOut(
        id=view.id, email=view.email, display_name=view.display_name, roles=list(view.roles),
        is_active=view.is_active, person_id=view.person_id,
    )


class AccountController(Controller):
    path = "/accounts"
    tags = ["accounts"]

    @get("/", opt={"right": "accounts:read"})
    async def list_accounts(self, principal: Principal) -> list[AccountOut]:
        return [account_out(v) for v in await accounts.list_accounts(principal)]

    @post("/", opt={"right": "accounts:write"})
    async def create_account(self, principal: Principal, data: AccountIn) -> AccountOut:
        principal.require("accounts:write")
        if data.person_id is not None:
            await people.get_person(principal, data.person_id)
        view = await accounts.create_account(
            principal.organisation_id, data.email, data.roles, display_name=data.display_name,
            password=data.password, person_id=data.person_id, actor=principal,
        )
        return account_out(view)

    @get("/{account_id:uuid}", opt={"right": "accounts:read"})
    async def get_account(self, principal: Principal, account_id: UUID) -> AccountOut:
        return account_out(await accounts.get_account(principal, account_id))

    @patch("/{account_id:uuid}", opt={"right": "accounts:write"})
    async def update_account(self, principal: Principal, account_id: UUID, data: AccountPatch) -> AccountOut:
        return account_out(await accounts.update_account(principal, account_id, **provided(data)))


class SecondFactorController(Controller):
    path = "/accounts/{account_id:uuid}/second-factor"
    tags = ["accounts"]

    @post("/reset", status_code=204, opt={"right": "accounts:write"})
    async def reset(self, principal: Principal, account_id: UUID) -> None:
        """Clear someone else's authenticator (a lost phone): they set up a new one at their next sign-in."""
        await mfa.reset_by_admin(principal, account_id)


class TokenController(Controller):
    path = "/tokens"
    tags = ["accounts"]

    @get("/", opt={"right": "self"})
    async def list_tokens(self, principal: Principal) -> list[TokenOut]:
        return [TokenOut(**row) for row in await accounts.list_api_tokens(principal)]

    @post("/", opt={"right": "self"})
    async def issue_token(self, principal: Principal, data: TokenIn) -> TokenIssued:
        issued = await accounts.issue_api_token(principal.account_id, principal.organisation_id, data.label)
        return TokenIssued(id=issued.id, token=issued.token, label=issued.label)

    @delete("/{token_id:uuid}", opt={"right": "self"})
    async def revoke_token(self, principal: Principal, token_id: UUID) -> None:
        await accounts.revoke_api_token(principal, token_id)


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]

    @get("/", opt={"right": "audit:read"})
    async def list_entries(self, principal: Principal, limit: Limit = 100) -> list[dict]:
        return await audit.entries(principal, limit=limit)


def invitation_out(view: invitations.InvitationView) -> InvitationOut:
    return InvitationOut(**asdict(view))


class InvitationController(Controller):
    path = "/invitations"
    tags = ["accounts"]

    @get("/", opt={"right": "accounts:invite"})
    async def list_invitations(self, principal: Principal, status: str | None = None) -> list[InvitationOut]:
        return [invitation_out(v) for v in await invitations.list_invitations(principal, status)]

    @post("/", opt={"right": "accounts:invite"})
    async def invite(self, principal: Principal, data: InvitationIn) -> InvitationOut:
        """Email a single-use link to set a password and sign in (re-inviting replaces the link)."""
        return invitation_out(await invitations.invite(
            principal, email=data.email, role=data.role, person_id=data.person_id, display_name=data.display_name))

    @post("/lived-experience", opt={"right": "accounts:invite"})
    async def invite_everyone(self, principal: Principal, dry_run: bool = False) -> BulkInviteOut:
        """Invite everyone in post in a lived-experience role who has no account (``dry_run``: count only)."""
        return BulkInviteOut(**asdict(await invitations.invite_everyone_in_lived_experience_roles(
            principal, dry_run=dry_run)))

    @get("/{invitation_id:uuid}", opt={"right": "accounts:invite"})
    async def get_invitation(self, principal: Principal, invitation_id: UUID) -> InvitationOut:
        return invitation_out(await invitations.get_invitation(principal, invitation_id))

    @post("/{invitation_id:uuid}/revoke", opt={"right": "accounts:invite"})
    async def revoke(self, principal: Principal, invitation_id: UUID) -> InvitationOut:
        return invitation_out(await invitations.revoke(principal, invitation_id))


ROUTES = [MeController, AccountController, SecondFactorController, TokenController, AuditController, InvitationController,
          *sso_controllers.ROUTES]
