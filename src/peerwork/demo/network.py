"""The demo network run as peerwork runs networks: the trust hosts it (its admins are the
network's admins) and the trust's network lead login sees it."""

from __future__ import annotations

from peerwork.core.access import system_principal
from peerwork.core.tables import Account
from peerwork.demo.people import NETWORK, DemoOrganisation
from peerwork.networks import service as networks
from peerwork.networks.tables import NetworkHost, NetworkLead

HOST = "northfield-nhs"
LEAD = ("northfield-nhs", "network.lead")  # (organisation, local part of the login)


async def load_network(orgs: dict[str, DemoOrganisation]) -> None:
    """Give the network its host and its lead (each once: a second run changes nothing)."""
    host = orgs[HOST]
    if not await NetworkHost.exists().where(NetworkHost.network.slug == NETWORK):
        await networks.set_host(NETWORK, HOST)
    slug, local = LEAD
    email = f"{local}@{orgs[slug].spec['domain']}"
    account = await Account.select(Account.id).where(Account.email == email).first()
    if account is None or await NetworkLead.exists().where(NetworkLead.account == account["id"]):
        return
    admin = system_principal(host.view.id, host.view.slug, host.view.name)
    await networks.grant_lead(admin, NETWORK, email, slug)
