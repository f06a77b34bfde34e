"""Board pack API: the caller's organisation's pack (HR and admins), as PDF or HTML."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, get
from litestar.params import Parameter

from peerwork.core.access import Principal
from peerwork.networks.board_pack import FORMATS, MEDIA_TYPES, export_organisation_pack
from peerwork.retention.service import attachment

Format = Annotated[str, Parameter(query="format", description=f"One of {', '.join(FORMATS)} (default pdf)")]
AsOf = Annotated[date | None, Parameter(description="The data date: figures as known that day (default today)")]


class BoardPackController(Controller):
    path = "/board-pack"
    tags = ["board pack"]

    @get("/", media_type="application/pdf", opt={"right": "board_pack:read"})
    async def board_pack(self, principal: Principal, as_of: AsOf = None, fmt: Format = "pdf") -> Response[bytes]:
        """The organisation's board pack (definitions in docs/board-pack.md); audited as an export."""
        body, name = await export_organisation_pack(principal, as_of, fmt)
        return Response(body, media_type=MEDIA_TYPES[fmt], headers=attachment(name))


ROUTES = [BoardPackController]
