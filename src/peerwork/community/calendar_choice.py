"""A person's choice of invites, feed or both, and whether they have a live feed link: the
named service other capabilities (supervision, recruitment) read, so the one choice covers everything
peerwork puts on their calendar. The rules themselves are ``peerwork.calendar.delivery``."""

from __future__ import annotations

from uuid import UUID

from peerwork.calendar import delivery
from peerwork.calendar.tables import CalendarFeed
from peerwork.community.tables import CommunityPreference


async def calendar_delivery(account_id: UUID) -> str:
    """The person's choice (``delivery.MODES``); ``auto`` until they make one."""
    row = await CommunityPreference.select(CommunityPreference.calendar_delivery).where(
        CommunityPreference.account == account_id
    ).first()
    return row["calendar_delivery"] if row else delivery.DEFAULT


async def has_live_feed(account_id: UUID) -> bool:
    """Whether the person has a personal feed link that is not revoked."""
    return await CalendarFeed.exists().where(
        (CalendarFeed.account == account_id) & CalendarFeed.revoked_at.is_null()
    )
