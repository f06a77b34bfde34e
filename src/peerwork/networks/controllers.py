"""Networks API: the networks a caller may see, their members and shared spaces, their pooled
and per-member figures (aggregates only, counts under 5 suppressed), invitations, leads and
reference figures. See docs/networks.md for who sees what."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from litestar import Controller, get, post, put

from peerwork.core.access import Principal
from peerwork.networks import service
from peerwork.networks.board_controllers import ROUTES as BOARD_PACK_ROUTES
from peerwork.networks.figures import NetworkFigures
from peerwork.networks.references import ReferenceFigure
from peerwork.networks.schemas import (
    InvitationIn,
    InvitationOut,
    LeadIn,
    LeadOut,
    MemberOut,
    NetworkDetailOut,
    NetworkIn,
    NetworkOut,
    ReferenceIn,
    SharedOut,
    SharedSpaceOut,
)


def network_out(view: service.NetworkView) -> NetworkOut:
    return NetworkOut(slug=view.slug, name=view.name, host=view.host, is_admin=view.is_admin)


def invitation_out(i: service.Invitation) -> InvitationOut:
    return InvitationOut(id=i.id, network=i.network_slug, network_name=i.network_name, organisation=i.organisation_slug,
                         organisation_name=i.organisation_name, status=i.status, created_at=i.created_at)


def lead_out(lead: service.Lead) -> LeadOut:
    return LeadOut(id=lead.id, name=lead.name, email=lead.email, organisation=lead.organisation_slug,
                   organisation_name=lead.organisation)


async def detail(principal: Principal, view: service.NetworkView) -> NetworkDetailOut:
    admin = view.is_admin
    return NetworkDetailOut(
        network=network_out(view),
        members=[MemberOut(m.slug, m.name, m.kind, m.is_host) for m in await service.members(view)],
        shared_spaces=[SharedSpaceOut(s.title, s.kind, s.organisation, s.organisation_slug)
                       for s in await service.shared_spaces(view)],
        invitations=[invitation_out(i) for i in await service.network_invitations(view)] if admin else None,
        leads=[lead_out(lead) for lead in await service.leads(view)] if admin else None,
    )


class NetworksController(Controller):
    path = "/networks"
    tags = ["networks"]

    @get("/", opt={"right": "network:read"})
    async def list_networks(self, principal: Principal) -> list[NetworkOut]:
        """The networks the caller may see."""
        return [network_out(v) for v in await service.my_networks(principal)]

    @post("/", opt={"right": "network:manage"}, status_code=201)
    async def create_network(self, principal: Principal, data: NetworkIn) -> NetworkOut:
        """A new network hosted by the caller's organisation (its admins run it)."""
        return network_out(await service.create_network(principal, data.slug, data.name))

    @get("/invitations", opt={"right": "network:manage"})
    async def my_invitations(self, principal: Principal) -> list[InvitationOut]:
        """Invitations waiting for the caller's organisation to answer."""
        return [invitation_out(i) for i in await service.my_invitations(principal)]

    @get("/{network_slug:str}", opt={"right": "network:read"})
    async def network(self, principal: Principal, network_slug: str) -> NetworkDetailOut:
        """Members, shared spaces and the organisation running each; invitations and leads for its admins."""
        return await detail(principal, await service.visible_network(principal, network_slug))

    @get("/{network_slug:str}/figures", opt={"right": "network:read"})
    async def figures(self, principal: Principal, network_slug: str, as_of: date | None = None) -> NetworkFigures:
        """Pooled and per-member figures with the reference figures (aggregates only; counts
        under 5 read "<5" and their rates are withheld)."""
        return await service.figures(principal, network_slug, as_of)

    @get("/{network_slug:str}/shared", opt={"right": "network:share"})
    async def shared(self, principal: Principal, network_slug: str, as_of: date | None = None) -> SharedOut:
        """Exactly what the caller's organisation shares with this network."""
        return SharedOut(network=network_slug,
                         figures=await service.shared_by_my_organisation(principal, network_slug, as_of))

    @post("/{network_slug:str}/invitations", opt={"right": "network:manage"}, status_code=201)
    async def invite(self, principal: Principal, network_slug: str, data: InvitationIn) -> InvitationOut:
        """Invite an organisation to join (the network's admins)."""
        return invitation_out(await service.invite(principal, network_slug, data.organisation))

    @post("/{network_slug:str}/invitations/{network_invitation_id:uuid}/accept", opt={"right": "network:manage"},
          status_code=200)
    async def accept(self, principal: Principal, network_slug: str, network_invitation_id: UUID) -> InvitationOut:
        """The invited organisation's admin accepts: it joins the network."""
        return invitation_out(await service.answer(principal, network_slug, network_invitation_id, accept=True))

    @post("/{network_slug:str}/invitations/{network_invitation_id:uuid}/decline", opt={"right": "network:manage"},
          status_code=200)
    async def decline(self, principal: Principal, network_slug: str, network_invitation_id: UUID) -> InvitationOut:
        return invitation_out(await service.answer(principal, network_slug, network_invitation_id, accept=False))

    @post("/{network_slug:str}/invitations/{network_invitation_id:uuid}/withdraw", opt={"right": "network:manage"},
          status_code=200)
    async def withdraw(self, principal: Principal, network_slug: str, network_invitation_id: UUID) -> InvitationOut:
        """The network's admins withdraw a pending invitation."""
        return invitation_out(await service.withdraw(principal, network_slug, network_invitation_id))

    @post("/{network_slug:str}/members/{organisation_slug:str}/remove", opt={"right": "network:manage"},
          status_code=204)
    async def remove_member(self, principal: Principal, network_slug: str, organisation_slug: str) -> None:
        """The network's admins remove a member (not the host)."""
        await service.remove_member(principal, network_slug, organisation_slug)

    @post("/{network_slug:str}/leave", opt={"right": "network:manage"}, status_code=204)
    async def leave(self, principal: Principal, network_slug: str) -> None:
        """The caller's organisation leaves the network (not the host)."""
        await service.leave(principal, network_slug)

    @post("/{network_slug:str}/leads", opt={"right": "network:manage"}, status_code=201)
    async def grant_lead(self, principal: Principal, network_slug: str, data: LeadIn) -> LeadOut:
        """Make someone in a member organisation a lead of this network (the network's admins)."""
        return lead_out(await service.grant_lead(principal, network_slug, data.email, data.organisation))

    @post("/{network_slug:str}/leads/{lead_id:uuid}/revoke", opt={"right": "network:manage"}, status_code=204)
    async def revoke_lead(self, principal: Principal, network_slug: str, lead_id: UUID) -> None:
        await service.revoke_lead(principal, network_slug, lead_id)

    @get("/{network_slug:str}/references", opt={"right": "network:read"})
    async def references(self, principal: Principal, network_slug: str) -> list[ReferenceFigure]:
        """The figures the network is read against, each with its source."""
        return await service.network_references(principal, network_slug)

    @put("/{network_slug:str}/references/{reference_key:str}", opt={"right": "network:manage"})
    async def edit_reference(self, principal: Principal, network_slug: str, reference_key: str,
                             data: ReferenceIn) -> ReferenceFigure:
        """Set the network's own value and source for a reference figure (the network's admins)."""
        return await service.edit_reference(principal, network_slug, reference_key, data.value, data.source,
                                            data.label)


ROUTES = [NetworksController, *BOARD_PACK_ROUTES]
