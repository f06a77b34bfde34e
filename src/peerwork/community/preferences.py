"""A person's community preferences (newsletter; invites, feed or both) and a booking's
current invite."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from msgspec import UNSET

from peerwork.calendar.feeds import forget_fingerprints
from peerwork.calendar.providers import CalendarProvider
from peerwork.calendar import delivery
from peerwork.community import notify
from peerwork.community.notify import _booking_context, invite_bytes, with_reply_token
from peerwork.community.schemas import PreferencesIn, PreferencesOut
from peerwork.community.tables import Booking, CommunityPreference, Occurrence
from peerwork.core.db import transaction
from peerwork.core.errors import NotFound
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.settings import current_settings
from peerwork.core.time import now


async def wants_newsletter(account_id: UUID) -> bool:
    row = await CommunityPreference.select(CommunityPreference.newsletter).where(
        CommunityPreference.account == account_id
    ).first()
    return True if row is None else row["newsletter"]


async def _store(principal: Principal, values: dict[Any, Any]) -> None:
    if await CommunityPreference.exists().where(CommunityPreference.account == principal.account_id):
        await CommunityPreference.update(values).where(CommunityPreference.account == principal.account_id)
    else:
        await CommunityPreference(account=principal.account_id, **{c._meta.name: v for c, v in values.items()}).save()


async def set_newsletter(principal: Principal, wanted: bool) -> None:
    await _store(principal, {CommunityPreference.newsletter: wanted})
    await audit.record(principal, "update", "community_preference", principal.account_id, fields=["newsletter"])


async def get_preferences(principal: Principal, *, bookings_moved: int = 0) -> PreferencesOut:
    row = await CommunityPreference.select().where(CommunityPreference.account == principal.account_id).first()
    return PreferencesOut(
        newsletter=row["newsletter"] if row else True,
        calendar_delivery=row["calendar_delivery"] if row else delivery.DEFAULT,
        has_feed_link=await notify.has_live_feed(principal.account_id),
        replies_read=bool(current_settings().reply_address),
        bookings_moved=bookings_moved,
    )


async def update_preferences(principal: Principal, data: PreferencesIn,
                             providers: Sequence[CalendarProvider] = ()) -> PreferencesOut:
    """Store what changed. A new calendar choice moves the person's held places to where it
    puts them at once, each with an email: a CANCEL for an invite whose booking now lives in
    the feed, a REQUEST for one that now comes as an invite, so no copy is left behind. The
    choice covers other capabilities' items too (supervision sessions): ``providers`` (the
    app's) with a ``choice_changed`` move theirs the same way, counted in ``bookings_moved``."""
    moved = 0
    async with transaction():
        if data.newsletter is not UNSET:
            await set_newsletter(principal, data.newsletter)
        if data.calendar_delivery is not UNSET:
            await _store(principal, {CommunityPreference.calendar_delivery: data.calendar_delivery})
            moved = await _move_held_places(principal.account_id, data.calendar_delivery)
            for provider in providers:
                if provider.choice_changed is not None:
                    moved += await provider.choice_changed(principal.account_id, data.calendar_delivery)
            await audit.record(principal, "update", "community_preference", principal.account_id,
                               fields=["calendar_delivery"], bookings_moved=moved)
    forget_fingerprints()
    return await get_preferences(principal, bookings_moved=moved)


async def _move_held_places(account_id: UUID, mode: str) -> int:
    live = await notify.has_live_feed(account_id)
    held = await Booking.select(Booking.id, Booking.invite_state).where(
        (Booking.account == account_id) & (Booking.status == "confirmed")
        & (Booking.occurrence.status == "scheduled") & (Booking.occurrence.end > now())
    )
    moved = 0
    for row in held:
        method, state = delivery.on_choice_changed(mode, has_live_feed=live, state=row["invite_state"])
        if method is None and state == row["invite_state"]:
            continue
        bump: dict[Any, Any] = {Booking.updated_at: now()}  # the feed's fingerprint moves
        if method is not None:
            bump[Booking.sequence] = Booking.sequence + 1  # a new invite outranks the last one
        await Booking.update(bump).where(Booking.id == row["id"])
        if method is None:
            await Booking.update({Booking.invite_state: state}).where(Booking.id == row["id"])
            continue
        await notify.delivery_changed(row["id"], method, state)
        moved += 1
    return moved


async def current_invite(principal: Principal, booking_id: UUID) -> tuple[str, bytes]:
    """The invite as it stands now: REQUEST while the place is held, CANCEL once it is not."""
    b = await _booking_context(booking_id)
    if b is None or b["account"] != principal.account_id:
        raise NotFound("No such booking.")
    occurrence = await Occurrence.select(Occurrence.status).where(Occurrence.id == b["occurrence"]).first()
    holding = b["status"] == "confirmed" and occurrence["status"] == "scheduled"
    method = "REQUEST" if holding else "CANCEL"
    partstat = {"confirmed": "ACCEPTED", "waitlisted": "TENTATIVE"}.get(b["status"], "DECLINED")
    return method, invite_bytes(await with_reply_token(b), method, partstat=partstat)
