"""Pairing API: suggestions with their score parts, pairs a person confirms, own profile."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, get, post, put
from litestar.params import QueryParameter

from peerwork.pairing import service as pairing_service
from peerwork.pairing.schemas import PairIn, PairOut, ProfileIn, ProfileOut, SuggestionsOut
from peerwork.core.access import Principal


class PairingController(Controller):
    path = "/pairing"
    tags = ["pairing"]

    @get("/suggestions", opt={"right": "pairing:manage"})
    async def suggestions(
        self, principal: Principal,
        for_whom: Annotated[Literal["new_starters", "unpaired"], QueryParameter(name="scope")] = "new_starters",
    ) -> SuggestionsOut:
        """The best overall set of pairs for ``scope`` (new_starters or unpaired); nothing is
        saved: confirm each pair you want."""
        return await pairing_service.suggestions(principal, for_whom)

    @get("/pairs", opt={"right": "pairing:manage"})
    async def pairs(self, principal: Principal) -> list[PairOut]:
        return await pairing_service.list_pairs(principal)

    @post("/pairs", opt={"right": "pairing:manage"})
    async def confirm(self, principal: Principal, data: PairIn) -> PairOut:
        """Confirm a pair; every rule is checked again."""
        return await pairing_service.confirm_pair(principal, data)

    @post("/pairs/{pair_id:uuid}/end", status_code=200, opt={"right": "pairing:manage"})
    async def end(self, principal: Principal, pair_id: UUID) -> PairOut:
        return await pairing_service.end_pair(principal, pair_id)

    @get("/profile", opt={"right": "community:read"})
    async def my_profile(self, principal: Principal) -> ProfileOut:
        return await pairing_service.my_profile(principal)

    @put("/profile", opt={"right": "community:read"})
    async def save_profile(self, principal: Principal, data: ProfileIn) -> ProfileOut:
        return await pairing_service.save_profile(principal, data)


ROUTES = [PairingController]
