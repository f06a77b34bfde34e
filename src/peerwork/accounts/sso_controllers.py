"""Single sign-on API for admins: the organisation's OpenID Connect provider."""

from __future__ import annotations

from litestar import Controller, delete, get, put

from peerwork.accounts import sso
from peerwork.accounts.schemas import SsoProviderIn, SsoProviderOut
from peerwork.core.access import Principal
from peerwork.core.errors import NotFound


def provider_out(view: sso.ProviderView) -> SsoProviderOut:
    return SsoProviderOut(
        issuer=view.issuer, client_id=view.client_id, client_secret_set=view.client_secret_set,
        email_domains=list(view.email_domains), create_accounts=view.create_accounts,
        default_role=view.default_role, label=view.label, redirect_uri=view.redirect_uri,
        updated_at=view.updated_at,
    )


class SsoController(Controller):
    path = "/sso"
    tags = ["accounts"]

    @get("/", opt={"right": "accounts:write"})
    async def get_provider(self, principal: Principal) -> SsoProviderOut:
        """The organisation's provider (the client secret is never returned, only whether one is set)."""
        view = await sso.get_provider(principal)
        if view is None:
            raise NotFound("Single sign-on is not set up for your organisation.")
        return provider_out(view)

    @put("/", opt={"right": "accounts:write"})
    async def set_provider(self, principal: Principal, data: SsoProviderIn) -> SsoProviderOut:
        """Set up or change the provider; an empty ``client_secret`` keeps the stored one."""
        return provider_out(await sso.set_provider(principal, data))

    @delete("/", opt={"right": "accounts:write"})
    async def remove_provider(self, principal: Principal) -> None:
        """Turn single sign-on off (passwords keep working)."""
        await sso.remove_provider(principal)


ROUTES = [SsoController]
