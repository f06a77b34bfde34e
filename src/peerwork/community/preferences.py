"""Newsletter preference and the current invite for a booking."""

from __future__ import annotations

from uuid import UUID

from peerwork.calendar import ical
from peerwork.community.notify import _booking_context, _people, calendar_event
from peerwork.community.tables import CommunityPreference, Occurrence
from peerwork.core.errors import NotFound
from peerwork.core import audit
from peerwork.core.access import Principal


async def wants_newsletter(account_id: UUID) -> bool:
    row = await CommunityPreference.select(CommunityPreference.newsletter).where(
        CommunityPreference.account == account_id
    ).first()
    return True if row is None else row["newsletter"]


async def set_newsletter(principal: Principal, wanted: bool) -> None:
    if await CommunityPreference.exists().where(CommunityPreference.account == principal.account_id):
        await CommunityPreference.update({CommunityPreference.newsletter: wanted}).where(
            CommunityPreference.account == principal.account_id
        )
    else:
        await CommunityPreference(account=principal.account_id, newsletter=wanted).save()
    await audit.record(principal, "update", "community_preference", principal.account_id, fields=["newsletter"])


async def current_invite(principal: Principal, booking_id: UUID) -> tuple[str, bytes]:
    """The invite as it stands now: REQUEST while the place is held, CANCEL once it is not."""
    b = await _booking_context(booking_id)
    if b is None or b["account"] != principal.account_id:
        raise NotFound("No such booking.")
    occurrence = await Occurrence.select(Occurrence.status).where(Occurrence.id == b["occurrence"]).first()
    holding = b["status"] == "confirmed" and occurrence["status"] == "scheduled"
    method = "REQUEST" if holding else "CANCEL"
    organizer, attendee = _people(b)
    event = calendar_event(b, status="CONFIRMED" if holding else "CANCELLED")
    partstat = {"confirmed": "ACCEPTED", "waitlisted": "TENTATIVE"}.get(b["status"], "DECLINED")
    return method, ical.invite(method, event, organizer=organizer, attendee=attendee, partstat=partstat)
