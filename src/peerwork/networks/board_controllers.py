"""Board pack API: the caller's organisation's pack (HR and admins), or a network's (the leads
who may see it), as PDF or HTML."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, get
from litestar.params import Parameter, QueryParameter

from peerwork.core.access import Principal
from peerwork.networks.board_pack import FORMATS, MEDIA_TYPES, export_network_pack_for, export_organisation_pack
from peerwork.retention.service import attachment

Format = Annotated[str, QueryParameter(name="format", description=f"One of {', '.join(FORMATS)} (default pdf)")]
AsOf = Annotated[date | None, Parameter(description="The data date: figures as known that day (default today)")]


class BoardPackController(Controller):
    path = "/board-pack"
    tags = ["board pack"]

    @get("/", media_type="application/pdf", opt={"right": "board_pack:read"})
    async def board_pack(self, principal: Principal, as_of: AsOf = None, fmt: Format = "pdf") -> Response[bytes]:
        """The organisation's board pack (definitions in docs/board-pack.md); audited as an export."""
        body, name = await export_organisation_pack(principal, as_of, fmt)
        return Response(body, media_type=MEDIA_TYPES[fmt], headers=attachment(name))


class NetworkBoardPackController(Controller):
    path = "/networks/{network_slug:str}/board-pack"
    tags = ["board pack"]

    @get("/", media_type="application/pdf", opt={"right": "network:read"})
    async def network_board_pack(self, principal: Principal, network_slug: str, as_of: AsOf = None,
                                 fmt: Format = "pdf") -> Response[bytes]:
        """The network's board pack: pooled, then each member; 404 for a network the caller may not see."""
        body, name = await export_network_pack_for(principal, network_slug, as_of, fmt)
        return Response(body, media_type=MEDIA_TYPES[fmt], headers=attachment(name))


ROUTES = [BoardPackController, NetworkBoardPackController]
