"""Networks, organisations (tenants) and their teams."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from peerwork.core.db import transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.workforce.schemas import TeamOut
from peerwork.core.tenancy import ensure_unique, one_in_organisation
from peerwork.core.tables import Network, NetworkMembership, Organisation
from peerwork.workforce.tables import Team

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
ORGANISATION_KINDS = ("nhs_trust", "vcse")


@dataclass(frozen=True)
class OrganisationView:
    id: UUID
    slug: str
    name: str
    kind: str
    networks: tuple[str, ...]


def check_slug(slug: str) -> str:
    if not _SLUG.match(slug):
        raise InvalidInput(f"{slug!r} is not a valid slug: use lower-case letters, digits and hyphens.")
    return slug


async def get_or_create_network(slug: str, name: str | None = None) -> UUID:
    check_slug(slug)
    row = await Network.select(Network.id).where(Network.slug == slug).first()
    if row:
        return row["id"]
    network = Network(slug=slug, name=name or slug.replace("-", " ").title())
    await network.save()
    await audit.record(None, "create", "network", network.id)
    return network.id


async def create_organisation(
    slug: str, name: str, *, kind: str = "nhs_trust", network: str | None = None
) -> OrganisationView:
    check_slug(slug)
    if not name.strip():
        raise InvalidInput("An organisation needs a name.")
    if kind not in ORGANISATION_KINDS:
        raise InvalidInput(f"Unknown kind {kind!r}; choose one of: {', '.join(ORGANISATION_KINDS)}.")
    async with transaction():
        if await Organisation.exists().where(Organisation.slug == slug):
            raise Conflict(f"An organisation with slug {slug!r} already exists.")
        org = Organisation(slug=slug, name=name.strip(), kind=kind)
        await org.save()
        if network:
            network_id = await get_or_create_network(network)
            await NetworkMembership(network=network_id, organisation=org.id).save()
        await audit.record(None, "create", "organisation", org.id, organisation_id=org.id)
    return await organisation_by_slug(slug)


async def organisation_by_slug(slug: str) -> OrganisationView:
    org = await Organisation.objects().where(Organisation.slug == slug).first()
    if org is None:
        raise NotFound(f"No organisation with slug {slug!r}.")
    networks = await NetworkMembership.select(NetworkMembership.network.slug).where(
        NetworkMembership.organisation == org.id
    ).output(as_list=True)
    return OrganisationView(id=org.id, slug=org.slug, name=org.name, kind=org.kind, networks=tuple(networks))


# --- Teams ------------------------------------------------------------------------------


async def list_teams(principal: Principal) -> list[TeamOut]:
    principal.require("teams:read")
    rows = await Team.select(Team.id, Team.name).where(Team.organisation == principal.organisation_id).order_by(Team.name)
    return [TeamOut(**r) for r in rows]


async def get_team(principal: Principal, team_id: UUID) -> TeamOut:
    principal.require("teams:read")
    row = await one_in_organisation(Team, principal.organisation_id, team_id, (Team.id, Team.name), "No such team.")
    return TeamOut(**row)


async def _check_team_name_free(organisation_id: UUID, name: str, except_id: UUID | None = None) -> None:
    await ensure_unique(Team.name, organisation_id, name, f"There is already a team called {name!r}.", except_id=except_id)


async def create_team(principal: Principal, name: str) -> TeamOut:
    principal.require("teams:write")
    name = name.strip()
    if not name:
        raise InvalidInput("A team needs a name.")
    async with transaction():
        await _check_team_name_free(principal.organisation_id, name)
        team = Team(organisation=principal.organisation_id, name=name)
        await team.save()
        await audit.record(principal, "create", "team", team.id)
    return TeamOut(id=team.id, name=team.name)


async def rename_team(principal: Principal, team_id: UUID, name: str) -> TeamOut:
    principal.require("teams:write")
    await get_team(principal, team_id)
    name = name.strip()
    if not name:
        raise InvalidInput("A team needs a name.")
    async with transaction():
        await _check_team_name_free(principal.organisation_id, name, except_id=team_id)
        await Team.update({Team.name: name}).where(Team.id == team_id)
        await audit.record(principal, "update", "team", team_id, fields=["name"])
    return TeamOut(id=team_id, name=name)


