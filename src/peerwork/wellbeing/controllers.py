"""Wellbeing API: the caller's own plan, passport, shares and check-ins, and reading what was
shared with them. Nothing here is cached anywhere (``Cache-Control: no-store``), so a
withdrawal is never undone by a stored copy."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, delete, get, post, put
from litestar.datastructures import CacheControlHeader

from peerwork.core.access import Principal
from peerwork.wellbeing import checkins, documents, sharing
from peerwork.wellbeing.schemas import (
    CheckInIn, CheckInOut, DocumentOut, PassportIn, PersonChoice, PlanIn, SharedWithMe, ShareIn, ShareOut,
)

NO_STORE = CacheControlHeader(no_store=True, private=True)
RIGHT = {"right": "wellbeing:own"}


class WellbeingController(Controller):
    path = "/wellbeing"
    tags = ["wellbeing"]
    cache_control = NO_STORE

    @get("/plan", opt=RIGHT)
    async def my_plan(self, principal: Principal) -> DocumentOut | None:
        """Your own wellness plan (null until you write one)."""
        return await documents.mine(principal, "plan")

    @put("/plan", opt=RIGHT)
    async def save_plan(self, principal: Principal, data: PlanIn) -> DocumentOut:
        return await documents.save(principal, "plan", data)

    @get("/passport", opt=RIGHT)
    async def my_passport(self, principal: Principal) -> DocumentOut | None:
        """Your own workplace adjustments passport (null until you write one)."""
        return await documents.mine(principal, "passport")

    @put("/passport", opt=RIGHT)
    async def save_passport(self, principal: Principal, data: PassportIn) -> DocumentOut:
        return await documents.save(principal, "passport", data)

    @get("/documents/{document_id:uuid}", opt=RIGHT)
    async def read_document(self, principal: Principal, document_id: UUID) -> DocumentOut:
        """A plan or passport: yours, or one its owner shared with you."""
        return await documents.read(principal, document_id)

    @get("/shares", opt=RIGHT)
    async def my_shares(self, principal: Principal) -> list[ShareOut]:
        """Who can read your plan and passport now."""
        return await sharing.shares(principal)

    @post("/documents/{document_id:uuid}/shares", opt=RIGHT)
    async def share(self, principal: Principal, document_id: UUID, data: ShareIn) -> ShareOut:
        """Let one named person read your plan or passport (only its owner may)."""
        return await sharing.share(principal, document_id, data)

    @delete("/documents/{document_id:uuid}/shares/{account_id:uuid}", opt=RIGHT, status_code=204)
    async def withdraw(self, principal: Principal, document_id: UUID, account_id: UUID) -> Response[None]:
        """Stop that person reading it, from their next request."""
        await sharing.withdraw(principal, document_id, account_id)
        return Response(None, status_code=204)

    @get("/shared-with-me", opt=RIGHT)
    async def shared_with_me(self, principal: Principal) -> list[SharedWithMe]:
        return await sharing.shared_with_me(principal)

    @get("/people", opt=RIGHT)
    async def people(self, principal: Principal) -> list[PersonChoice]:
        """People in your organisation you could share with."""
        return await sharing.candidates(principal)

    @post("/check-ins", opt=RIGHT)
    async def check_in(self, principal: Principal, data: CheckInIn) -> CheckInOut:
        """A private check-in (only you ever see it) and what it suggests."""
        return await checkins.check_in(principal, data)

    @get("/check-ins", opt=RIGHT)
    async def my_check_ins(self, principal: Principal) -> list[CheckInOut]:
        return await checkins.mine(principal)


ROUTES = [WellbeingController]
