"""Calendar API: issue or revoke the secret feed links (personal, or the organisation's)."""

from __future__ import annotations

from litestar import Controller, delete, post

from peerwork.calendar import feeds
from peerwork.calendar.schemas import FeedOut
from peerwork.core.access import Principal


class CalendarController(Controller):
    path = "/calendars"
    tags = ["calendar"]

    @post("/mine", opt={"right": "self"})
    async def issue_personal(self, principal: Principal) -> FeedOut:
        url, created = await feeds.issue_feed(principal)
        return FeedOut(url=url, created_at=created)

    @delete("/mine", opt={"right": "self"})
    async def revoke_personal(self, principal: Principal) -> None:
        await feeds.revoke_feed(principal)

    @post("/organisation", opt={"right": "community:manage"})
    async def issue_organisation(self, principal: Principal) -> FeedOut:
        url, created = await feeds.issue_feed(principal, organisation_feed=True)
        return FeedOut(url=url, created_at=created)

    @delete("/organisation", opt={"right": "community:manage"})
    async def revoke_organisation(self, principal: Principal) -> None:
        await feeds.revoke_feed(principal, organisation_feed=True)


ROUTES = [CalendarController]
