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


async def next_copy(account_id: UUID, method: str | None, state: str | None) -> tuple[str | None, str | None, str]:
    """For an item that changed (``method`` CANCEL when it ended): the invite this person gets
    (if any), their copy's new ``invite_state``, and a line for the email saying where it is.
    Supervision sessions and interviews share it; bookings word theirs in ``notify``."""
    if method == "CANCEL":
        sent, new_state = delivery.on_place_ended(state)
        return sent, new_state, "The calendar invite attached takes it out of your calendar." if sent else ""
    mode = await calendar_delivery(account_id)
    live = await has_live_feed(account_id)
    sent, new_state = delivery.on_place_held(mode, has_live_feed=live, state=state)
    if sent == "REQUEST":
        return sent, new_state, "The calendar invite is attached."
    if sent == "CANCEL":
        return sent, new_state, ("Your peerwork calendar feed shows it now; the calendar invite attached removes "
                                 "the copy the earlier invite made, so it does not show twice.")
    return None, new_state, ("It is in your peerwork calendar feed." if live else
                             "You chose to get calendar items through your calendar feed: make its link on the "
                             "My calendar page to see them in your calendar app.")
