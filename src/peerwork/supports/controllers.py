"""The seven supports API: the share of current PSWs who received each, and who is missing which."""

from __future__ import annotations

from dataclasses import asdict
from msgspec import Struct
from peerwork.supports import service as supports

from uuid import UUID
from litestar import Controller, get
from peerwork.core.access import Principal


class SupportFigureOut(Struct):
    key: str
    label: str
    received: int
    psws: int
    share: float | None


class PersonSupportsOut(Struct):
    account_id: UUID
    name: str
    missing: list[str]


class SupportsController(Controller):
    path = "/supports"
    tags = ["supports"]

    @get("/", opt={"right": "supports:read"})
    async def figures(self, principal: Principal) -> list[SupportFigureOut]:
        """The share of current PSWs who received each of the seven supports in the last 12 months."""
        return [SupportFigureOut(share=f.share, **asdict(f)) for f in await supports.figures(principal)]

    @get("/missing", opt={"right": "supports:people"})
    async def missing(self, principal: Principal) -> list[PersonSupportsOut]:
        """Who is missing which support (peer leads and admins; own organisation only)."""
        return [PersonSupportsOut(**asdict(p)) for p in await supports.who_is_missing(principal)]


ROUTES = [SupportsController]
