"""What the networks API takes and gives (the figures are peerwork.networks.figures' Structs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from msgspec import Meta, Struct

from peerwork.networks.figures import UnitFigures

Slug = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$",
                           description="lower-case letters, digits and hyphens")]


class NetworkIn(Struct, forbid_unknown_fields=True):
    slug: Slug
    name: Annotated[str, Meta(min_length=1, max_length=200)]


class InvitationIn(Struct, forbid_unknown_fields=True):
    organisation: Slug  # the invited organisation's slug


class LeadIn(Struct, forbid_unknown_fields=True):
    email: Annotated[str, Meta(min_length=3, max_length=254)]
    organisation: Slug  # the member organisation the account belongs to


class ReferenceIn(Struct, forbid_unknown_fields=True):
    value: Annotated[float, Meta(ge=0, le=1, description="a share from 0 to 1")]
    source: Annotated[str, Meta(min_length=1, max_length=1000)]
    label: Annotated[str, Meta(min_length=1, max_length=200)] | None = None


class NetworkOut(Struct):
    slug: str
    name: str
    host: str | None  # the host organisation's slug; its admins run the network
    is_admin: bool


class MemberOut(Struct):
    slug: str
    name: str
    kind: str
    is_host: bool


class SharedSpaceOut(Struct):
    title: str
    kind: str
    organisation: str  # the member organisation that runs it
    organisation_slug: str


class InvitationOut(Struct):
    id: UUID
    network: str
    network_name: str
    organisation: str
    organisation_name: str
    status: str
    created_at: datetime


class LeadOut(Struct):
    id: UUID
    name: str
    email: str
    organisation: str
    organisation_name: str


class NetworkDetailOut(Struct):
    network: NetworkOut
    members: list[MemberOut]
    shared_spaces: list[SharedSpaceOut]
    invitations: list[InvitationOut] | None  # pending; for the network's admins only
    leads: list[LeadOut] | None  # for the network's admins only


class SharedOut(Struct):
    """Exactly what the caller's organisation shares with the network."""

    network: str
    figures: UnitFigures
