"""Who sees and runs a network, and the changes its admins and members make.

- A network is seen by its member organisations' admins and by the network leads granted it
  (an account of a member organisation holding the ``network_lead`` role there, with a grant
  for this network). Anyone else is told it does not exist (NotFound), as for any record of
  another organisation.
- Its admins are the admins of its host organisation (the one that created it, e.g. an ICS's
  lead trust). They invite organisations, remove members, grant and revoke network leads and
  set the network's reference figures. A member's admin accepts or declines an invitation and
  may leave (the host cannot: it would leave the network with no admins).
- What leaves an organisation is only :func:`peerwork.networks.figures.organisation_figures`;
  nothing here lists a member's staff. The one list of people is the network's leads, shown
  to its admins only, since they grant and revoke them.
Every change is audited, and every read of the figures too (aggregates).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from peerwork.community.tables import EventSeries
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.accounts import normalise_email
from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from peerwork.core.tables import Account, Membership, Network, NetworkMembership, Organisation
from peerwork.core.time import now
from peerwork.networks import figures as network_figures_module
from peerwork.networks.figures import NetworkFigures, UnitFigures, network_members
from peerwork.networks.references import KEYS, ReferenceFigure, references, set_reference
from peerwork.networks.tables import NetworkHost, NetworkInvitation, NetworkLead
from peerwork.workforce.organisations import check_slug

LEAD_ROLE = "network_lead"
OLDEST_AS_OF = date(2000, 1, 1)
RESERVED_SLUGS = frozenset({"invitations"})  # /api/v1/networks/invitations is a route of its own


@dataclass(frozen=True)
class NetworkView:
    id: UUID
    slug: str
    name: str
    host: str | None  # host organisation's slug (None: no host set yet, so no admins)
    is_admin: bool  # the caller administers it


def _actor(principal: Principal) -> UUID | None:
    """Who made a change, for the row (None: the CLI or a job, which has no account)."""
    return None if principal.account_id == audit.SYSTEM_ACCOUNT else principal.account_id


async def _network(slug: str) -> dict[str, Any]:
    if not isinstance(slug, str) or len(slug) > 64:
        raise NotFound("No such network.")
    row = await Network.select(Network.id, Network.slug, Network.name).where(Network.slug == slug).first()
    if row is None:
        raise NotFound("No such network.")
    return row


async def _host(network_id: UUID) -> UUID | None:
    row = await NetworkHost.select(NetworkHost.organisation).where(NetworkHost.network == network_id).first()
    return row["organisation"] if row else None


async def _is_member(network_id: UUID, organisation_id: UUID) -> bool:
    return await NetworkMembership.exists().where((NetworkMembership.network == network_id)
                                                  & (NetworkMembership.organisation == organisation_id))


async def _may_see(principal: Principal, network_id: UUID) -> bool:
    if not principal.can("network:read") or not await _is_member(network_id, principal.organisation_id):
        return False
    if "admin" in principal.roles:
        return True
    return await NetworkLead.exists().where((NetworkLead.network == network_id)
                                            & (NetworkLead.account == principal.account_id)
                                            & (NetworkLead.organisation == principal.organisation_id))


async def _view(principal: Principal, network: dict[str, Any]) -> NetworkView:
    host = await _host(network["id"])
    host_slug = None
    if host is not None:
        host_slug = (await Organisation.select(Organisation.slug).where(Organisation.id == host).first())["slug"]
    return NetworkView(id=network["id"], slug=network["slug"], name=network["name"], host=host_slug,
                       is_admin=host == principal.organisation_id and "admin" in principal.roles)


async def visible_network(principal: Principal, slug: str) -> NetworkView:
    """The network, if the caller may see it; NotFound otherwise (whether or not it exists)."""
    principal.require("network:read")
    network = await _network(slug)
    if not await _may_see(principal, network["id"]):
        raise NotFound("No such network.")
    return await _view(principal, network)


async def administered_network(principal: Principal, slug: str) -> NetworkView:
    """The network, if the caller is one of its admins (an admin of its host organisation)."""
    principal.require("network:manage")
    view = await visible_network(principal, slug)
    if not view.is_admin:
        raise PermissionDenied("Your role does not allow this (only the network's host organisation's admins "
                               "run the network).")
    return view


async def my_networks(principal: Principal) -> list[NetworkView]:
    """The networks the caller may see, by name."""
    principal.require("network:read")
    ids = await NetworkMembership.select(NetworkMembership.network).where(
        NetworkMembership.organisation == principal.organisation_id).output(as_list=True)
    rows = await Network.select(Network.id, Network.slug, Network.name).where(Network.id.is_in(ids)) if ids else []
    return [await _view(principal, r) for r in sorted(rows, key=lambda r: (r["name"].casefold(), r["slug"]))
            if await _may_see(principal, r["id"])]


async def create_network(principal: Principal, slug: str, name: str) -> NetworkView:
    """A new network hosted by the caller's organisation (which becomes its first member)."""
    principal.require("network:manage")
    check_slug(slug)
    if slug in RESERVED_SLUGS:
        raise InvalidInput(f"Slug: {slug!r} is kept for peerwork's own addresses; choose another.")
    name = name.strip()
    if not name:
        raise InvalidInput("A network needs a name.")
    async with transaction():
        if await Network.exists().where(Network.slug == slug):
            raise Conflict(f"A network with slug {slug!r} already exists.")
        network = Network(slug=slug, name=name)
        await network.save()
        await NetworkHost(network=network.id, organisation=principal.organisation_id).save()
        await NetworkMembership(network=network.id, organisation=principal.organisation_id).save()
        await audit.record(principal, "create", "network", network.id)
    return await visible_network(principal, slug)


async def set_host(network_slug: str, organisation_slug: str) -> None:
    """Make an organisation (a member, added if need be) the network's host: for the CLI, for
    networks made before networks had hosts."""
    network = await _network(network_slug)
    org = await Organisation.select(Organisation.id).where(Organisation.slug == organisation_slug).first()
    if org is None:
        raise NotFound(f"No organisation with slug {organisation_slug!r}.")
    async with transaction():
        await NetworkHost.delete().where(NetworkHost.network == network["id"])
        await NetworkHost(network=network["id"], organisation=org["id"]).save()
        if not await _is_member(network["id"], org["id"]):
            await NetworkMembership(network=network["id"], organisation=org["id"]).save()
        await audit.record(None, "update", "network_host", network["id"], organisation_id=org["id"])


# --- what the network shows -----------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    slug: str
    name: str
    kind: str
    is_host: bool


@dataclass(frozen=True)
class SharedSpace:
    """A community series a member shares with the network: what it is, and which organisation runs it."""

    title: str
    kind: str
    organisation: str  # the name of the member organisation that runs it
    organisation_slug: str


async def members(view: NetworkView) -> list[Member]:
    return [Member(m["slug"], m["name"], m["kind"], m["slug"] == view.host) for m in await network_members(view.id)]


async def shared_spaces(view: NetworkView) -> list[SharedSpace]:
    """Open series the members share with their networks (``visibility`` "network")."""
    found = {m["id"]: m for m in await network_members(view.id)}
    if not found:
        return []
    rows = await EventSeries.select(EventSeries.title, EventSeries.kind, EventSeries.organisation).where(
        EventSeries.organisation.is_in(list(found)) & (EventSeries.visibility == "network")
        & (EventSeries.status == "open"))
    spaces = [SharedSpace(r["title"], r["kind"], found[r["organisation"]]["name"], found[r["organisation"]]["slug"])
              for r in rows]
    return sorted(spaces, key=lambda s: (s.organisation.casefold(), s.title.casefold()))


def check_as_of(as_of: date | None) -> date:
    today = now().date()
    as_of = as_of or today
    if as_of > today + timedelta(days=1) or as_of < OLDEST_AS_OF:
        raise InvalidInput(f"As of: choose a date from {OLDEST_AS_OF} to today.")
    return as_of


async def figures(principal: Principal, slug: str, as_of: date | None = None) -> NetworkFigures:
    """The network's pooled and per-member figures (aggregates only), audited as a read."""
    view = await visible_network(principal, slug)
    as_of = check_as_of(as_of)
    result = await network_figures_module.network_figures(view.id, as_of)
    await audit.record(principal, "read", "network_figures", view.id, aggregate=True, as_of=as_of.isoformat())
    return result


async def shared_by_my_organisation(principal: Principal, slug: str, as_of: date | None = None) -> UnitFigures:
    """Exactly what the caller's organisation shares with this network (its admins and HR)."""
    principal.require("network:share")
    network = await _network(slug)
    if not await _is_member(network["id"], principal.organisation_id):
        raise NotFound("No such network.")
    as_of = check_as_of(as_of)
    result = await network_figures_module.organisation_figures(principal.organisation_id, as_of)
    await audit.record(principal, "read", "network_figures", network["id"], aggregate=True, as_of=as_of.isoformat())
    return result


async def sharing_networks(principal: Principal) -> list[NetworkView]:
    """The networks the caller's organisation belongs to (for its admins and HR)."""
    principal.require("network:share")
    ids = await NetworkMembership.select(NetworkMembership.network).where(
        NetworkMembership.organisation == principal.organisation_id).output(as_list=True)
    rows = await Network.select(Network.id, Network.slug, Network.name).where(Network.id.is_in(ids)) if ids else []
    return [await _view(principal, r) for r in sorted(rows, key=lambda r: (r["name"].casefold(), r["slug"]))]


# --- members: invite, accept, decline, withdraw, remove, leave ----------------------------------

@dataclass(frozen=True)
class Invitation:
    id: UUID
    network_slug: str
    network_name: str
    organisation_slug: str
    organisation_name: str
    status: str
    created_at: datetime


async def _organisation(slug: str) -> dict[str, Any]:
    if not isinstance(slug, str) or len(slug) > 64:
        raise InvalidInput("Organisation: give an organisation's slug.")
    row = await Organisation.select(Organisation.id, Organisation.slug, Organisation.name).where(
        Organisation.slug == slug).first()
    if row is None:
        raise InvalidInput(f"Organisation: there is no organisation with slug “{slug[:64]}”.")
    return row


def _invitation(row: dict[str, Any]) -> Invitation:
    return Invitation(id=row["id"], network_slug=row["network.slug"], network_name=row["network.name"],
                      organisation_slug=row["organisation.slug"], organisation_name=row["organisation.name"],
                      status=row["status"], created_at=row["created_at"])


_INVITATION_COLUMNS = (NetworkInvitation.id, NetworkInvitation.network.slug, NetworkInvitation.network.name,
                       NetworkInvitation.organisation.slug, NetworkInvitation.organisation.name,
                       NetworkInvitation.status, NetworkInvitation.created_at)


async def invite(principal: Principal, slug: str, organisation_slug: str) -> Invitation:
    """Invite an organisation to join (its admin accepts or declines)."""
    view = await administered_network(principal, slug)
    org = await _organisation(organisation_slug)
    async with transaction():
        if await _is_member(view.id, org["id"]):
            raise Conflict(f"{org['name']} is already a member of {view.name}.")
        if await NetworkInvitation.exists().where((NetworkInvitation.network == view.id)
                                                  & (NetworkInvitation.organisation == org["id"])
                                                  & (NetworkInvitation.status == "pending")):
            raise Conflict(f"{org['name']} has already been invited to {view.name}.")
        invitation = NetworkInvitation(network=view.id, organisation=org["id"], invited_by=_actor(principal))
        await invitation.save()
        await audit.record(principal, "create", "network_invitation", invitation.id)
    return await _invitation_by_id(invitation.id)


async def _invitation_by_id(invitation_id: UUID) -> Invitation:
    row = await NetworkInvitation.select(*_INVITATION_COLUMNS).where(NetworkInvitation.id == invitation_id).first()
    return _invitation(row)


async def network_invitations(view: NetworkView) -> list[Invitation]:
    """The network's pending invitations (for its admins)."""
    rows = await NetworkInvitation.select(*_INVITATION_COLUMNS).where(
        (NetworkInvitation.network == view.id) & (NetworkInvitation.status == "pending")
    ).order_by(NetworkInvitation.created_at)
    return [_invitation(r) for r in rows]


async def my_invitations(principal: Principal) -> list[Invitation]:
    """Invitations waiting for the caller's organisation (its admins answer them)."""
    principal.require("network:manage")
    rows = await NetworkInvitation.select(*_INVITATION_COLUMNS).where(
        (NetworkInvitation.organisation == principal.organisation_id) & (NetworkInvitation.status == "pending")
    ).order_by(NetworkInvitation.created_at)
    return [_invitation(r) for r in rows]


async def _pending_for_me(principal: Principal, slug: str, invitation_id: UUID) -> dict[str, Any]:
    principal.require("network:manage")
    network = await _network(slug)
    row = await NetworkInvitation.select(NetworkInvitation.id, NetworkInvitation.network).where(
        (NetworkInvitation.id == invitation_id) & (NetworkInvitation.network == network["id"])
        & (NetworkInvitation.organisation == principal.organisation_id)).first()
    if row is None:
        raise NotFound("No such invitation.")
    return {**row, "network_name": network["name"]}


async def answer(principal: Principal, slug: str, invitation_id: UUID, accept: bool) -> Invitation:
    """The invited organisation's admin accepts (it joins) or declines."""
    async with transaction():
        row = await _pending_for_me(principal, slug, invitation_id)
        status = (await NetworkInvitation.select(NetworkInvitation.status).where(
            NetworkInvitation.id == invitation_id).first())["status"]
        if status != "pending":
            raise Conflict(f"This invitation was already {status}.")
        await NetworkInvitation.update({NetworkInvitation.status: "accepted" if accept else "declined",
                                        NetworkInvitation.decided_at: now()}).where(
            NetworkInvitation.id == invitation_id)
        if accept and not await _is_member(row["network"], principal.organisation_id):
            await NetworkMembership(network=row["network"], organisation=principal.organisation_id).save()
        await audit.record(principal, "accept" if accept else "decline", "network_invitation", invitation_id)
    return await _invitation_by_id(invitation_id)


async def withdraw(principal: Principal, slug: str, invitation_id: UUID) -> Invitation:
    """The network's admins withdraw a pending invitation."""
    view = await administered_network(principal, slug)
    async with transaction():
        row = await NetworkInvitation.select(NetworkInvitation.status).where(
            (NetworkInvitation.id == invitation_id) & (NetworkInvitation.network == view.id)).first()
        if row is None:
            raise NotFound("No such invitation.")
        if row["status"] != "pending":
            raise Conflict(f"This invitation was already {row['status']}.")
        await NetworkInvitation.update({NetworkInvitation.status: "withdrawn",
                                        NetworkInvitation.decided_at: now()}).where(
            NetworkInvitation.id == invitation_id)
        await audit.record(principal, "withdraw", "network_invitation", invitation_id)
    return await _invitation_by_id(invitation_id)


async def _drop_member(network_id: UUID, organisation_id: UUID) -> None:
    """The organisation out of the network, with the network leads it held there."""
    await NetworkMembership.delete().where((NetworkMembership.network == network_id)
                                           & (NetworkMembership.organisation == organisation_id))
    leads = await NetworkLead.select(NetworkLead.account).where(
        (NetworkLead.network == network_id) & (NetworkLead.organisation == organisation_id)).output(as_list=True)
    await NetworkLead.delete().where((NetworkLead.network == network_id) & (NetworkLead.organisation == organisation_id))
    for account in set(leads):
        await _drop_role_if_unused(account, organisation_id)


async def remove_member(principal: Principal, slug: str, organisation_slug: str) -> None:
    """The network's admins remove a member (not the host)."""
    view = await administered_network(principal, slug)
    org = await _organisation(organisation_slug)
    async with transaction():
        if not await _is_member(view.id, org["id"]):
            raise NotFound(f"{org['name']} is not a member of {view.name}.")
        if org["slug"] == view.host:
            raise Conflict("The host organisation cannot be removed: it runs the network.")
        await _drop_member(view.id, org["id"])
        await audit.record(principal, "remove", "network_membership", view.id, member=str(org["id"]))


async def leave(principal: Principal, slug: str) -> None:
    """The caller's organisation leaves the network (its admin; not the host)."""
    principal.require("network:manage")
    network = await _network(slug)
    async with transaction():
        if not await _is_member(network["id"], principal.organisation_id):
            raise NotFound("No such network.")
        if await _host(network["id"]) == principal.organisation_id:
            raise Conflict("The host organisation cannot leave the network it runs.")
        await _drop_member(network["id"], principal.organisation_id)
        await audit.record(principal, "leave", "network_membership", network["id"])


# --- network leads ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Lead:
    id: UUID
    name: str
    email: str
    organisation: str
    organisation_slug: str


async def leads(view: NetworkView) -> list[Lead]:
    """The network's leads (for its admins, who grant and revoke them)."""
    rows = await NetworkLead.select(NetworkLead.id, NetworkLead.account.display_name, NetworkLead.account.email,
                                    NetworkLead.organisation.name, NetworkLead.organisation.slug).where(
        NetworkLead.network == view.id)
    found = [Lead(r["id"], r["account.display_name"] or r["account.email"], r["account.email"],
                  r["organisation.name"], r["organisation.slug"]) for r in rows]
    return sorted(found, key=lambda lead: (lead.organisation.casefold(), lead.name.casefold()))


async def grant_lead(principal: Principal, slug: str, email: str, organisation_slug: str) -> Lead:
    """Make someone with an active account in a member organisation a lead of this network."""
    view = await administered_network(principal, slug)
    org = await _organisation(organisation_slug)
    if not isinstance(email, str) or not email.strip() or len(email) > 254:
        raise InvalidInput("Email: give the email address of their peerwork account.")
    async with transaction():
        if not await _is_member(view.id, org["id"]):
            raise InvalidInput(f"Organisation: {org['name']} is not a member of {view.name}.")
        account = await Account.select(Account.id).where(
            (Account.email == normalise_email(email)) & (Account.is_active == True)).first()  # noqa: E712
        if account is None or not await Membership.exists().where(
                (Membership.account == account["id"]) & (Membership.organisation == org["id"])):
            raise InvalidInput(f"Email: no active account with that address belongs to {org['name']}.")
        if await NetworkLead.exists().where((NetworkLead.network == view.id) & (NetworkLead.account == account["id"])
                                            & (NetworkLead.organisation == org["id"])):
            raise Conflict("They are already a lead of this network.")
        lead = NetworkLead(network=view.id, organisation=org["id"], account=account["id"],
                           granted_by=_actor(principal))
        await lead.save()
        if not await Membership.exists().where((Membership.account == account["id"])
                                               & (Membership.organisation == org["id"])
                                               & (Membership.role == LEAD_ROLE)):
            await Membership(account=account["id"], organisation=org["id"], role=LEAD_ROLE).save()
        await audit.record(principal, "grant", "network_lead", lead.id, account=str(account["id"]))
    return next(found for found in await leads(view) if found.id == lead.id)


async def _drop_role_if_unused(account_id: UUID, organisation_id: UUID) -> None:
    """The network_lead role goes when the account leads no network for that organisation."""
    if not await NetworkLead.exists().where((NetworkLead.account == account_id)
                                            & (NetworkLead.organisation == organisation_id)):
        await Membership.delete().where((Membership.account == account_id) & (Membership.organisation == organisation_id)
                                        & (Membership.role == LEAD_ROLE))


async def revoke_lead(principal: Principal, slug: str, lead_id: UUID) -> None:
    view = await administered_network(principal, slug)
    async with transaction():
        row = await NetworkLead.select(NetworkLead.account, NetworkLead.organisation).where(
            (NetworkLead.id == lead_id) & (NetworkLead.network == view.id)).first()
        if row is None:
            raise NotFound("No such network lead.")
        await NetworkLead.delete().where(NetworkLead.id == lead_id)
        await _drop_role_if_unused(row["account"], row["organisation"])
        await audit.record(principal, "revoke", "network_lead", lead_id, account=str(row["account"]))


# --- reference figures ------------------------------------------------------------------------

async def network_references(principal: Principal, slug: str) -> list[ReferenceFigure]:
    view = await visible_network(principal, slug)
    return await references(view.id)


async def edit_reference(principal: Principal, slug: str, key: str, value: float, source: str,
                         label: str | None = None) -> ReferenceFigure:
    """The network's own value and source for a reference figure (its admins), audited."""
    view = await administered_network(principal, slug)
    if key not in KEYS:
        raise NotFound("No such reference figure.")
    if not 0 <= value <= 1:
        raise InvalidInput("Value: give a share from 0 to 1 (e.g. 0.89 for 89%).")
    source = source.strip()
    if not source:
        raise InvalidInput("Source: say where the figure comes from.")
    async with transaction():
        figure = await set_reference(view.id, key, value, source, label.strip() if label else None,
                                     _actor(principal))
        await audit.record(principal, "update", "reference_figure", key, network=str(view.id))
    return figure
